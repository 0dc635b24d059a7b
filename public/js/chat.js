// @ts-check
/**
 * The chat page's live layer (entry module; the parts are under chat/). The page works without
 * it (plain forms); this adds the websocket: live messages, presence, reconnect with backoff,
 * gap-fill by id, resending whatever was not acknowledged, and the muted and removed states.
 * @import { ServerFrame, JoinedFrame, ModerationFrame, UserRef } from '../../src/shared/protocol.ts'
 */
import { cfg, room, tr } from './chat/env.js';
import { flushOutbox, markJoined, startConnection } from './chat/connection.js';
import { initComposer, setMuted, setRemoved } from './chat/composer.js';
import { initDates } from './chat/dates.js';
import { initMenus } from './chat/menus.js';
import { applyChange, changeRefused, initEdits } from './chat/edit.js';
import { fillGap, initMessages, markFailed, received, showCaughtUp, showMessage, showPending, systemLine, toBottom } from './chat/messages.js';
import { initNotify, notifyFor } from './chat/notify.js';
import { dropOutboxes, outbox } from './chat/outbox.js';
import { addRestricted, initDrawer, removeRestricted, setMutedMember, setPeople, setPerson } from './chat/people.js';
import { fmtTime, localizeTimes } from './chat/time.js';
import { onTyping, stopped } from './chat/typing.js';
import { initUnread, joinedRoom, messageShown, otherRoomUnread, wasAtBottom } from './chat/unread.js';

/** @param {ModerationFrame} f */
function onModeration(f) {
  const p = { target: f.target?.name ?? '', by: f.by?.name ?? '', until: f.until ? fmtTime(f.until) : '' };
  const auto = f.by === null;
  const key = {
    mute: f.until === null ? 'sys.muteForever' : 'sys.mute',
    unmute: auto ? 'sys.unmuteAuto' : 'sys.unmute',
    kick: 'sys.kick',
    ban: 'sys.ban',
    unban: auto ? 'sys.unbanAuto' : 'sys.unban',
    delete: 'sys.delete',
  }[f.action];
  systemLine(f.reason ? tr('sys.withReason', { line: tr(key, p), reason: f.reason }) : tr(key, p));
  if (cfg.canModerate && f.target) restrictedChanged(f.action, f.target, f.until ?? null);
  if (f.target?.id !== cfg.me.id) return;
  if (f.action === 'mute') setMuted({ until: f.until ?? null, reason: f.reason });
  if (f.action === 'unmute') setMuted(false);
}

/**
 * A moderator's sidebar follows the room's restrictions: the Restricted section, and what each
 * member's menu offers.
 * @param {ModerationFrame['action']} action @param {UserRef} target @param {number | null} until
 */
function restrictedChanged(action, target, until) {
  if (action === 'mute' || action === 'unmute') setMutedMember(target.id, action === 'mute');
  if (action === 'mute' || action === 'kick' || action === 'ban') addRestricted(target, action, action === 'ban' ? null : until);
  if (action === 'unmute') removeRestricted(target.id, 'mute');
  if (action === 'unban') removeRestricted(target.id, 'bar');
}

/** @param {JoinedFrame} f */
function onJoined(f) {
  markJoined();
  setPeople('members', f.members);
  setPeople('online', f.online);
  showCaughtUp(f.missed);
  // Edits and deletions missed meanwhile (applying one twice changes nothing).
  for (const c of f.changes ?? []) {
    applyChange(c);
    if (c.seq !== undefined) received(c.seq);
  }
  if (f.hasMore) void fillGap();
  flushOutbox();
  joinedRoom();
}

/** @param {ServerFrame} f */
function onFrame(f) {
  switch (f.type) {
    case 'joined':
      if (f.room === room) onJoined(f);
      break;
    case 'typing':
      onTyping(f);
      break;
    case 'message': {
      if (f.room === room) stopped(f.user.id);
      const stuck = wasAtBottom();
      showMessage(f);
      notifyFor(f);
      if (f.room === room) received(f.id);
      messageShown(f, stuck);
      break;
    }
    case 'unread':
      otherRoomUnread(f);
      break;
    case 'ack': {
      const item = outbox.get(f.clientId);
      if (item) showMessage({ room, id: f.id, ts: f.ts, user: cfg.me, body: item.body, clientId: f.clientId, ...(item.replyTo ? { replyTo: item.replyTo } : {}) });
      break;
    }
    case 'presence':
      if (f.room === room) setPerson('online', f.user, f.online);
      if (f.room === room && !f.online) stopped(f.user.id);
      break;
    case 'member':
      if (f.room === room) setPerson('members', f.user, f.action === 'join');
      break;
    case 'left':
      if (f.room === room) location.href = '/rooms';
      break;
    case 'moderation':
      if (f.room === room) onModeration(f);
      break;
    case 'deleted':
    case 'edited':
      if (f.room !== room) break;
      applyChange(f);
      // Changes are numbered in the same sequence as messages: the cursor moves past them.
      if (f.seq !== undefined) received(f.seq);
      break;
    case 'error':
      if (f.code === 'kicked' || f.code === 'banned') {
        if (f.room === undefined || f.room === room) setRemoved(f.code, f.until);
        break;
      }
      if (f.code === 'muted') setMuted({ until: f.until ?? null });
      if (f.id !== undefined) changeRefused(f);
      if (!f.clientId) break;
      if (f.code === 'too_long' || f.code === 'invalid' || f.code === 'forbidden' || f.code === 'muted') markFailed(f.clientId, f.code === 'invalid' ? f.message : '');
      else if (f.code === 'rate_limited' || f.code === 'unavailable') {
        // Still in the outbox: send again once allowed.
        setTimeout(flushOutbox, Math.max(1000, (f.until ?? 0) - Date.now()));
      }
      break;
  }
}

initEdits();
initMessages();
initDates();
localizeTimes();
initComposer();
initNotify();
initMenus();
initDrawer();
// A reader who is not a member gets no socket: a `join` frame would make them a member, and
// only the Join form may do that (docs/protocol.md). Their page is the history as it was read.
if (cfg.live && cfg.member) {
  for (const item of outbox.values()) showPending(item);
  toBottom();
  initUnread();
  startConnection(onFrame);
} else if (cfg.live) {
  toBottom();
}

// Signing out here: this tab's unsent messages go with the session.
for (const f of document.querySelectorAll('form[action="/logout"]')) f.addEventListener('submit', dropOutboxes);
