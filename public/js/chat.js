// @ts-check
/**
 * The chat page's live layer. The page works without it (plain forms); this adds the websocket:
 * live messages, presence, reconnect with backoff, gap-fill by id, and resending whatever was
 * not acknowledged (same clientId, so the server never stores it twice).
 * @import { ServerFrame, ClientFrame, ChatMessage, UserRef, JoinedFrame } from '../../src/shared/protocol.ts'
 */

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const root = $('chat');
/**
 * @type {{ room: number, me: UserRef, lastId: number, firstId: number, hasOlder: boolean, live: boolean, member: boolean,
 *   canModerate: boolean, muted: false | { until: number | null }, archived: boolean, strings: Record<string, string> }}
 */
const cfg = JSON.parse(root.dataset.client ?? '{}');
const room = cfg.room;
const S = cfg.strings;
const list = $('messages');
const scroller = $('scroller');
/** Only a member's page has the composer; a reader's has the Join form (a plain post) instead. */
const form = /** @type {HTMLFormElement | null} */ (document.getElementById('composer'));
const input = /** @type {HTMLTextAreaElement | null} */ (document.getElementById('body'));
const connEl = $('conn');
const banner = $('banner');

/** @param {string} key @param {Record<string, string>} [params] */
function tr(key, params = {}) {
  return (S[key] ?? key).replace(/\{(\w+)\}/g, (m, name) => params[name] ?? m);
}
/** Dates in the page's language and the reader's time zone. */
const LANG = document.documentElement.lang || undefined;
/** @param {number} ms */
const fmtTime = (ms) => new Date(ms).toLocaleString(LANG, { dateStyle: 'short', timeStyle: 'short' });

/** Ids on the page: a message is shown once, however often it arrives. */
const seen = new Set([...list.querySelectorAll('li[data-id]')].map((li) => Number(/** @type {HTMLElement} */ (li).dataset.id)));
/** Every message up to this id is on the page or was deleted: a rejoin's `since`, where a gap-fill starts. */
let lastId = cfg.lastId;
let firstId = cfg.firstId;
let hasOlder = cfg.hasOlder;

/** Typed but not yet acknowledged; kept across reloads of this tab. */
const OUTBOX_KEY = `hihi.outbox.${room}`;
/** @type {Map<string, { clientId: string, body: string, sentAt: number }>} */
const outbox = new Map(JSON.parse(sessionStorage.getItem(OUTBOX_KEY) ?? '[]'));
const saveOutbox = () => sessionStorage.setItem(OUTBOX_KEY, JSON.stringify([...outbox]));

/** @type {WebSocket | undefined} */
let ws;
let joined = false;
let attempt = 0;
/** @type {number | undefined} */
let reconnectTimer;

function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** @param {'online' | 'connecting' | 'offline'} state */
function setState(state) {
  connEl.dataset.state = state;
  connEl.textContent = S[`conn.${state}`] ?? state;
}

/** A <time>'s text and title in the reader's zone (the server wrote UTC). @param {HTMLTimeElement} t */
function localTime(t) {
  const d = new Date(t.dateTime);
  t.textContent = d.toLocaleTimeString(LANG, { timeStyle: 'short' });
  t.title = d.toLocaleString(LANG, { dateStyle: 'full', timeStyle: 'short' });
}

/** Same as src/plugins/avatar.ts (test/browser/look.test.ts compares server and live markup). */
const hue = (/** @type {number} */ id) => (Math.imul(id, 2654435761) >>> 0) % 12;
const initial = (/** @type {string} */ name) => ([...name][0] ?? '?').toUpperCase();
/** @param {Element | null} av @param {UserRef} user */
function fillAvatar(av, user) {
  if (!av) return;
  av.className = `av a${hue(user.id)}`;
  av.textContent = initial(user.name);
}

const GROUP_MS = 5 * 60_000;
/** @param {Element | null} el @returns {HTMLTimeElement | null} */
const timeOf = (el) => el?.querySelector(':scope > .msg-head > time, :scope > time') ?? null;
/** @param {Date} d */
const dayKey = (d) => d.toDateString();

/**
 * Groups a message under the one before it (same author within 5 minutes, same local day),
 * starts a day with a separator, and marks the reader's own messages.
 * @param {Element | null} li
 */
function decorate(li) {
  if (!(li instanceof HTMLElement) || !li.classList.contains('msg')) return;
  const t = timeOf(li);
  if (!t) return;
  const prev = li.previousElementSibling;
  const pt = timeOf(prev);
  const d = new Date(t.dateTime);
  const newDay = !pt || dayKey(new Date(pt.dateTime)) !== dayKey(d);
  li.querySelector(':scope > .day')?.remove();
  if (newDay) {
    const sep = document.createElement('p');
    sep.className = 'day';
    sep.textContent = d.toLocaleDateString(LANG, { dateStyle: 'full' });
    li.prepend(sep);
  }
  const user = li.dataset.user;
  const p = /** @type {HTMLElement | null} */ (prev);
  li.classList.toggle('cont', !newDay && !!user && p?.dataset.user === user && d.getTime() - new Date(pt?.dateTime ?? 0).getTime() < GROUP_MS);
  li.classList.toggle('own', user === String(cfg.me.id));
}
/** After `li` came or went: it and the one after it. @param {Element | null} li @param {Element | null} [next] */
function regroup(li, next = li?.nextElementSibling ?? null) {
  decorate(li);
  decorate(next);
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = '.,;:!?)]}\'"';

/**
 * The URL less its trailing punctuation, by one scan from the end (a regex like /[.,]+$/ is
 * quadratic on a run of dots). The same as trimTrailing in src/plugins/linkify.ts.
 * @param {string} url
 */
function trimTrailing(url) {
  let end = url.length;
  while (end > 0 && TRAILING.includes(url[end - 1] ?? '')) end--;
  return url.slice(0, end);
}

/**
 * Message text as DOM nodes: text nodes, and anchors for http(s) links only (the server's
 * linkify filter renders the same for history). Nothing is parsed as HTML.
 * @param {string} text
 */
function linkified(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimTrailing(m[0]);
    const start = m.index ?? 0;
    frag.append(text.slice(last, start));
    const a = document.createElement('a');
    a.href = url;
    a.rel = 'nofollow noopener noreferrer';
    a.target = '_blank';
    a.textContent = url;
    frag.append(a);
    last = start + url.length;
  }
  frag.append(text.slice(last));
  return frag;
}

const msgTemplate = /** @type {HTMLTemplateElement} */ ($('tpl-msg'));
/** A message from the page's blank one (the markup the server renders history with). @param {{ user: UserRef, body: string, ts: number }} m */
function messageElement(m) {
  const li = /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (msgTemplate.content.firstElementChild).cloneNode(true));
  li.removeAttribute('data-id');
  li.dataset.user = String(m.user.id);
  fillAvatar(li.querySelector('.av'), m.user);
  /** @type {HTMLElement} */ (li.querySelector('.author')).textContent = m.user.name;
  const time = /** @type {HTMLTimeElement} */ (li.querySelector('time'));
  time.dateTime = new Date(m.ts).toISOString();
  localTime(time);
  /** @type {HTMLElement} */ (li.querySelector('.body')).replaceChildren(linkified(m.body));
  return li;
}

/**
 * Clones a server-rendered <template> (moderators only) and fills its one empty field.
 * @param {string} id @param {string} field @param {number} value
 */
function fromTemplate(id, field, value) {
  const tpl = /** @type {HTMLTemplateElement | null} */ (document.getElementById(id));
  if (!tpl) return null;
  const node = /** @type {DocumentFragment} */ (tpl.content.cloneNode(true));
  // Inputs of cloned forms, or the delete button that carries the message id itself.
  for (const el of node.querySelectorAll(`input[name="${field}"], button[name="${field}"]`)) /** @type {HTMLInputElement} */ (el).value = String(value);
  return node;
}

const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
const toBottom = () => {
  scroller.scrollTop = scroller.scrollHeight;
};

/**
 * Places an element among the confirmed messages by id (pending ones stay last).
 * @param {HTMLElement} li @param {number} id
 */
function placeById(li, id) {
  let before = null;
  for (const el of /** @type {HTMLElement[]} */ ([...list.children]).reverse()) {
    const elId = Number(el.dataset.id);
    if (el.dataset.id && elId < id) break;
    before = el;
  }
  list.insertBefore(li, before);
}

/** @param {ChatMessage} m */
function showMessage(m) {
  if (m.room !== room || seen.has(m.id)) return;
  const stick = nearBottom();
  seen.add(m.id);
  $('empty')?.remove();
  // My own message, typed in this tab: confirm the pending line instead of adding another.
  const pending = m.user.id === cfg.me.id ? list.querySelector(`li[data-client-id="${CSS.escape(m.clientId)}"]`) : null;
  const li = /** @type {HTMLElement} */ (pending ?? messageElement(m));
  if (pending) {
    li.classList.remove('pending', 'failed');
    li.querySelector('.state')?.remove();
    // The server's time, not this tab's clock at typing.
    const time = /** @type {HTMLTimeElement} */ (timeOf(li));
    time.dateTime = new Date(m.ts).toISOString();
    localTime(time);
    outbox.delete(m.clientId);
    saveOutbox();
  }
  li.dataset.id = String(m.id);
  if (cfg.canModerate && !li.querySelector('.msg-delete')) li.append(fromTemplate('tpl-delete', 'messageId', m.id) ?? '');
  placeById(li, m.id);
  regroup(li);
  if (firstId === 0) firstId = m.id;
  if (stick) toBottom();
}

/** @param {{ clientId: string, body: string }} item */
function showPending(item) {
  if (list.querySelector(`li[data-client-id="${CSS.escape(item.clientId)}"]`)) return;
  $('empty')?.remove();
  const li = messageElement({ user: cfg.me, body: item.body, ts: Date.now() });
  li.classList.add('pending');
  li.dataset.clientId = item.clientId;
  const state = document.createElement('span');
  state.className = 'state';
  state.textContent = S['msg.pending'] ?? '…';
  li.append(state);
  list.append(li);
  decorate(li);
  toBottom();
}

/** @param {string} clientId */
function markFailed(clientId) {
  outbox.delete(clientId);
  saveOutbox();
  const li = list.querySelector(`li[data-client-id="${CSS.escape(clientId)}"]`);
  if (!li) return;
  li.classList.remove('pending');
  li.classList.add('failed');
  const state = li.querySelector('.state');
  if (state) state.textContent = S['msg.failed'] ?? '!';
}

/** @param {ClientFrame} frame */
function send(frame) {
  if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

function flushOutbox() {
  for (const item of outbox.values()) {
    item.sentAt = Date.now();
    send({ type: 'send', room, clientId: item.clientId, body: item.body });
  }
}

/** @param {string} query */
async function fetchPage(query) {
  const res = await fetch(`/rooms/${room}/messages?${query}`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`history: ${res.status}`);
  return /** @type {Promise<{ messages: ChatMessage[], hasMore: boolean }>} */ (res.json());
}

/**
 * A live message arrived. The server sends a room's messages on a socket in id order, each once
 * (docs/protocol.md): the next id moves `lastId` on, a larger one means ids are missing.
 * @param {number} id
 */
function received(id) {
  if (id === lastId + 1) lastId = id;
  else if (id > lastId + 1) void fillGap();
}

let filling = false;
let fillAgain = false;
/**
 * Pages in everything after `lastId` (after `joined` with `hasMore`, or an id skipped). A page
 * holds every stored id in its range, so `lastId` moves to its last id; live messages that
 * arrive meanwhile leave `lastId` where it is, so the paging does not jump over the rest.
 */
async function fillGap() {
  if (filling) {
    fillAgain = true;
    return;
  }
  filling = true;
  try {
    do {
      fillAgain = false;
      for (;;) {
        const page = await fetchPage(`after=${lastId}&limit=100`);
        for (const m of page.messages) {
          showMessage(m);
          lastId = Math.max(lastId, m.id);
        }
        if (!page.hasMore || page.messages.length === 0) break;
      }
    } while (fillAgain);
  } catch {
    // The next reconnect or message retries.
  } finally {
    filling = false;
  }
}

let loadingOlder = false;
async function loadOlder() {
  if (loadingOlder || !hasOlder || firstId === 0) return;
  loadingOlder = true;
  try {
    const page = await fetchPage(`before=${firstId}&limit=50`);
    const height = scroller.scrollHeight;
    for (const m of page.messages.slice().reverse()) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      const li = messageElement(m);
      li.dataset.id = String(m.id);
      if (cfg.canModerate) li.append(fromTemplate('tpl-delete', 'messageId', m.id) ?? '');
      list.prepend(li);
      regroup(li);
    }
    if (page.messages[0]) firstId = page.messages[0].id;
    hasOlder = page.hasMore;
    if (!hasOlder) $('older')?.remove();
    scroller.scrollTop += scroller.scrollHeight - height;
  } finally {
    loadingOlder = false;
  }
}

/** @param {string} listId @param {UserRef} user @param {boolean} present */
function setPerson(listId, user, present) {
  const ul = $(listId);
  const existing = ul.querySelector(`li[data-user="${user.id}"]`);
  if (!present) return existing?.remove();
  if (existing) return;
  const li = document.createElement('li');
  li.dataset.user = String(user.id);
  const av = document.createElement('span');
  av.setAttribute('aria-hidden', 'true');
  fillAvatar(av, user);
  const bdi = document.createElement('bdi');
  bdi.textContent = user.name;
  li.append(av, bdi);
  if (listId === 'members' && cfg.canModerate && user.id !== cfg.me.id) li.append(fromTemplate('tpl-member-menu', 'userId', user.id) ?? '');
  ul.append(li);
}

/** A line in the conversation that is not a message (moderation notices). @param {string} text */
function systemLine(text) {
  const li = document.createElement('li');
  li.className = 'msg system';
  const time = document.createElement('time');
  time.dateTime = new Date().toISOString();
  localTime(time);
  li.append(text, time);
  $('empty')?.remove();
  const stick = nearBottom();
  list.append(li);
  if (stick) toBottom();
}

/** @type {number | undefined} */
let bannerTimer;
/** @param {{ until: number | null } | false} muted */
function showMuted(muted) {
  clearInterval(bannerTimer);
  banner.classList.remove('removed');
  if (!muted) {
    banner.hidden = !cfg.archived;
    return;
  }
  const render = () => {
    if (muted.until !== null && muted.until <= Date.now()) return showMuted(false);
    const left = muted.until === null ? '' : ` (${Math.ceil((muted.until - Date.now()) / 1000)} s)`;
    banner.textContent = muted.until === null ? tr('banner.mutedForever') : tr('banner.muted', { until: fmtTime(muted.until) }) + left;
  };
  banner.hidden = false;
  render();
  bannerTimer = window.setInterval(render, 1000);
}

/** Kicked or banned: the room is closed to this page until the end time. */
let removed = false;
/** @param {'kicked' | 'banned'} code @param {number | undefined} until */
function showRemoved(code, until) {
  removed = true;
  clearInterval(bannerTimer);
  banner.hidden = false;
  banner.classList.add('removed');
  banner.textContent = code === 'banned' ? tr('banner.banned') : tr('banner.kicked', { until: until ? fmtTime(until) : '' });
  if (form) form.hidden = true;
  for (const item of outbox.values()) markFailed(item.clientId);
  connEl.hidden = true;
  ws?.close(1000, 'removed');
}

/** @param {import('../../src/shared/protocol.ts').ModerationFrame} f */
function onModeration(f) {
  const p = {
    target: f.target?.name ?? '',
    by: f.by?.name ?? '',
    until: f.until ? fmtTime(f.until) : '',
  };
  const auto = f.by === null;
  const key = {
    mute: f.until === null ? 'sys.muteForever' : 'sys.mute',
    unmute: auto ? 'sys.unmuteAuto' : 'sys.unmute',
    kick: 'sys.kick',
    ban: 'sys.ban',
    unban: auto ? 'sys.unbanAuto' : 'sys.unban',
    delete: 'sys.delete',
  }[f.action];
  systemLine(tr(key, p) + (f.reason ? ` · ${tr('sys.reason', { reason: f.reason })}` : ''));
  if (f.target?.id !== cfg.me.id) return;
  if (f.action === 'mute') showMuted({ until: f.until ?? null });
  if (f.action === 'unmute') showMuted(false);
}

/** @param {string} listId @param {UserRef[]} users */
function setPeople(listId, users) {
  $(listId).replaceChildren();
  for (const u of users) setPerson(listId, u, true);
}

/** @param {JoinedFrame} f */
function onJoined(f) {
  joined = true;
  attempt = 0;
  setState('online');
  setPeople('members', f.members);
  setPeople('online', f.online);
  for (const m of f.missed) {
    showMessage(m);
    lastId = Math.max(lastId, m.id);
  }
  if (f.hasMore) void fillGap();
  flushOutbox();
}

/** @param {ServerFrame} f */
function onFrame(f) {
  switch (f.type) {
    case 'joined':
      if (f.room === room) onJoined(f);
      break;
    case 'message':
      showMessage(f);
      if (f.room === room) received(f.id);
      break;
    case 'ack': {
      const item = outbox.get(f.clientId);
      if (item) showMessage({ room, id: f.id, ts: f.ts, user: cfg.me, body: item.body, clientId: f.clientId });
      break;
    }
    case 'presence':
      if (f.room === room) setPerson('online', f.user, f.online);
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
      if (f.room === room) {
        const li = list.querySelector(`li[data-id="${f.id}"]`);
        const next = li?.nextElementSibling ?? null;
        li?.remove();
        decorate(next);
      }
      break;
    case 'error':
      if (f.code === 'kicked' || f.code === 'banned') {
        if (f.room === undefined || f.room === room) showRemoved(f.code, f.until);
        break;
      }
      if (f.code === 'muted') showMuted({ until: f.until ?? null });
      if (!f.clientId) break;
      if (f.code === 'too_long' || f.code === 'invalid' || f.code === 'forbidden' || f.code === 'muted') markFailed(f.clientId);
      else if (f.code === 'rate_limited' || f.code === 'unavailable') {
        // Still in the outbox: send again once allowed.
        setTimeout(flushOutbox, Math.max(1000, (f.until ?? 0) - Date.now()));
      }
      break;
  }
}

function connect() {
  clearTimeout(reconnectTimer);
  setState('connecting');
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws = socket;
  socket.onopen = () => send({ type: 'join', room, since: lastId });
  socket.onmessage = (ev) => onFrame(JSON.parse(String(ev.data)));
  socket.onclose = (ev) => {
    if (ws !== socket) return;
    joined = false;
    if (removed) return;
    if (ev.code === 4001 || ev.code === 4003) {
      location.href = '/login';
      return;
    }
    setState('offline');
    // Exponential backoff with jitter, so a restarted server is not hit by everyone at once.
    const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random());
    attempt = Math.min(attempt + 1, 10);
    reconnectTimer = window.setTimeout(connect, delay);
  };
}

/** A socket that looks open but stopped acknowledging (lid closed, network changed) is replaced. */
function watchdog() {
  const stale = [...outbox.values()].some((i) => i.sentAt && Date.now() - i.sentAt > 10_000);
  if (stale && ws?.readyState === WebSocket.OPEN) ws.close(4000, 'no ack');
}

function reconnectNow() {
  if (removed) return;
  if (!ws || ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) {
    attempt = 0;
    connect();
  }
}

form?.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (!input) return;
  const body = input.value.trim();
  if (!body) return;
  const item = { clientId: newClientId(), body, sentAt: 0 };
  outbox.set(item.clientId, item);
  saveOutbox();
  showPending(item);
  input.value = '';
  if (joined) {
    item.sentAt = Date.now();
    send({ type: 'send', room, clientId: item.clientId, body });
  }
});
input?.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    form?.requestSubmit();
  }
});
scroller.addEventListener('scroll', () => {
  if (scroller.scrollTop < 40) void loadOlder();
});
$('older')?.addEventListener('click', (ev) => {
  ev.preventDefault();
  void loadOlder();
});
window.addEventListener('online', reconnectNow);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') reconnectNow();
});

// Moderation forms work without JavaScript; with it, they post in the background.
document.addEventListener('submit', async (ev) => {
  const target = /** @type {HTMLFormElement} */ (ev.target);
  if (!target.classList.contains('mod-form')) return;
  ev.preventDefault();
  target.closest('details')?.removeAttribute('open');
  // getAttribute: the form's `action` property is shadowed by its input named "action".
  const res = await fetch(target.getAttribute('action') ?? '', {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    // With the submitter: a message's delete button carries its id into the shared form.
    body: new URLSearchParams(/** @type {any} */ (new FormData(target, /** @type {SubmitEvent} */ (ev).submitter))),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    systemLine(body?.error?.message ?? `${res.status}`);
  }
});

for (const li of list.querySelectorAll('li.msg')) {
  localTime(/** @type {HTMLTimeElement} */ (timeOf(li)));
  decorate(li);
}
if (cfg.muted) showMuted(cfg.muted);
// A reader who is not a member gets no socket: a `join` frame would make them a member, and
// only the Join form may do that (docs/protocol.md). Their page is the history as it was read.
if (cfg.live && cfg.member) {
  for (const item of outbox.values()) showPending(item);
  toBottom();
  setInterval(watchdog, 2000);
  connect();
} else if (cfg.live) {
  toBottom();
}
