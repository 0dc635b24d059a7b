// @ts-check
/**
 * The composer, and the states that close it: muted (disabled, with the reason and the end
 * time, until the mute ends or is lifted) and removed (kicked or banned: a notice with a way
 * back to the room list instead of the composer). The server renders both states for a reload;
 * this keeps them live.
 */
import { $, cfg, room, tr } from './env.js';
import { closeForGood, isJoined, send } from './connection.js';
import { markFailed, showPending } from './messages.js';
import { takeReply } from './edit.js';
import { newClientId, outbox, saveOutbox } from './outbox.js';
import { initMentions } from './mentions.js';
import { fmtUntil } from './time.js';
import { sentMessage, typed } from './typing.js';

/** Only a member's page has the composer; a reader's has the Join form (a plain post) instead. */
const form = /** @type {HTMLFormElement | null} */ (document.getElementById('composer'));
const input = /** @type {HTMLTextAreaElement | null} */ (document.getElementById('body'));
const note = document.getElementById('composer-note');

/** @type {number | undefined} */
let unmuteTimer;
/** Timers fire at most this far ahead (setTimeout's limit is ~24.8 days). */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Muted (with the end, null for "until lifted", and the moderator's reason if known) or not.
 * @param {{ until: number | null, reason?: string | null } | false} muted
 */
export function setMuted(muted) {
  clearTimeout(unmuteTimer);
  if (muted && muted.until !== null && muted.until <= Date.now()) muted = false;
  if (!form || !input || !note) return;
  const on = muted !== false;
  input.disabled = on;
  for (const b of form.querySelectorAll('button')) b.disabled = on;
  note.hidden = !on;
  form.classList.toggle('muted', on);
  if (!muted) {
    input.removeAttribute('aria-describedby');
    return;
  }
  input.setAttribute('aria-describedby', 'composer-note');
  const text = muted.until === null ? tr('banner.mutedForever') : tr('banner.muted', { until: fmtUntil(muted.until) });
  note.textContent = muted.reason ? tr('banner.mutedWhy', { muted: text, reason: muted.reason }) : text;
  if (muted.until !== null) unmuteTimer = window.setTimeout(() => setMuted(false), Math.min(MAX_TIMER, muted.until - Date.now() + 250));
}

/**
 * Kicked or banned: the socket closes, unsent messages fail, and the composer gives way to the
 * page's notice (the same markup the server renders after a reload).
 * @param {'kicked' | 'banned'} code @param {number | null | undefined} until
 */
export function setRemoved(code, until) {
  closeForGood();
  setMuted(false);
  for (const item of outbox.values()) markFailed(item.clientId);
  const notice = $('removed');
  /** @type {HTMLElement} */ (notice.querySelector('.notice-text')).textContent =
    code === 'banned' ? tr('banner.banned') : tr('banner.kicked', { until: until ? fmtUntil(until) : '' });
  notice.hidden = false;
  if (form) form.hidden = true;
  $('banner').hidden = true;
  /** @type {HTMLElement | null} */ (notice.querySelector('a'))?.focus();
}

export function initComposer() {
  if (cfg.muted) setMuted(cfg.muted);
  // Before the Enter-to-send below: Enter takes a suggestion while the list is open.
  if (input) initMentions(input);
  form?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!input || input.disabled) return;
    const body = input.value.trim();
    if (!body) return;
    const item = { clientId: newClientId(), body, sentAt: 0, ...takeReply() };
    outbox.set(item.clientId, item);
    saveOutbox();
    showPending(item);
    input.value = '';
    sentMessage();
    if (isJoined()) {
      item.sentAt = Date.now();
      send({ type: 'send', room, clientId: item.clientId, body, ...(item.replyTo ? { replyTo: item.replyTo } : {}) });
    }
  });
  input?.addEventListener('input', typed);
  input?.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form?.requestSubmit();
    }
  });
}
