// @ts-check
/**
 * The message list: live and pending messages, grouping and day separators, system lines,
 * older pages, and gap-fill by id after a reconnect or a skipped id.
 * @import { ChatMessage, MessageFrame, UserRef } from '../../../src/shared/protocol.ts'
 */
import { renderMarkdown } from '../shared/markdown.js';
import { $, cfg, room } from './env.js';
import { outbox, saveOutbox } from './outbox.js';
import { fillAvatar, fromTemplate } from './templates.js';
import { fmtDay, localTime } from './time.js';

const list = $('messages');
const scroller = $('scroller');

/** Ids on the page: a message is shown once, however often it arrives. */
const seen = new Set([...list.querySelectorAll('li[data-id]')].map((li) => Number(/** @type {HTMLElement} */ (li).dataset.id)));
/** Every message up to this id is on the page or was deleted: a rejoin's `since`, where a gap-fill starts. */
let lastId = cfg.lastId;
let firstId = cfg.firstId;
let hasOlder = cfg.hasOlder;
export const lastSeenId = () => lastId;

/** @type {(li: HTMLElement, m: ChatMessage | MessageFrame | null) => void} */
let shown = () => {};
/** Runs for each confirmed message placed on the page (`m` null: rendered by the server). @param {typeof shown} fn */
export function onShown(fn) {
  shown = fn;
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
    sep.textContent = fmtDay(d);
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

const msgTemplate = /** @type {HTMLTemplateElement} */ ($('tpl-msg'));
/**
 * A body as the server renders it (the same module: public/js/shared/markdown.js). Its output
 * is all escaped text and its own tags, so it is set as HTML.
 * @param {HTMLElement} li
 * @param {{ body: string, mentions?: UserRef[], here?: true }} m
 */
function fillBody(li, m) {
  const body = /** @type {HTMLElement} */ (li.querySelector('.body'));
  body.innerHTML = renderMarkdown(m.body, { mentions: m.mentions, here: m.here });
  markMine(body);
}

/**
 * Marks mentions of the reader, which stand out (the server's HTML is the same for every reader).
 * @param {ParentNode} root
 */
export function markMine(root) {
  for (const el of root.querySelectorAll(`.mention[data-user="${cfg.me.id}"]`)) el.classList.add('me');
}

/** A message from the page's blank one (the markup the server renders history with). @param {{ user: UserRef, body: string, ts: number, mentions?: UserRef[], here?: true }} m */
function messageElement(m) {
  const li = /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (msgTemplate.content.firstElementChild).cloneNode(true));
  li.removeAttribute('data-id');
  li.removeAttribute('id');
  li.dataset.user = String(m.user.id);
  fillAvatar(li.querySelector('.av'), m.user);
  /** @type {HTMLElement} */ (li.querySelector('.author')).textContent = m.user.name;
  const time = /** @type {HTMLTimeElement} */ (li.querySelector('time'));
  time.dateTime = new Date(m.ts).toISOString();
  localTime(time);
  fillBody(li, m);
  if (blockedAuthors.has(m.user.id)) collapse(li);
  return li;
}

/** Authors the reader blocked: their messages come collapsed, as the server renders them. */
const blockedAuthors = new Set(/** @type {number[]} */ (cfg.blocked ?? []));
/** @param {HTMLElement} li */
function collapse(li) {
  const note = /** @type {HTMLTemplateElement | null} */ (document.getElementById('tpl-blocked-note'))?.content.firstElementChild?.cloneNode(true);
  if (!note) return;
  li.classList.add('blocked');
  li.prepend(note);
}
// "Show" on a collapsed message opens it for this page view.
list.addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest('.show-blocked') : null;
  const li = button?.closest('li.msg');
  if (!button || !li) return;
  li.classList.remove('blocked');
  button.closest('.blocked-note')?.remove();
});

export const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
export const toBottom = () => {
  scroller.scrollTop = scroller.scrollHeight;
};

/**
 * Places an element among the confirmed messages by id (pending ones stay last).
 * @param {HTMLElement} li @param {number} id
 */
function placeById(li, id) {
  // Walked back from the end, where a new message almost always belongs: no copy of the list.
  let before = null;
  for (let el = /** @type {HTMLElement | null} */ (list.lastElementChild); el; el = /** @type {HTMLElement | null} */ (el.previousElementSibling)) {
    if (el.dataset.id && Number(el.dataset.id) < id) break;
    before = el;
  }
  list.insertBefore(li, before);
}

/**
 * @param {MessageFrame | ChatMessage} m
 * @param {boolean} [inBatch] one of many shown at once: the caller keeps the view at the bottom
 *   once after all of them, instead of a layout read and a scroll per message
 */
export function showMessage(m, inBatch = false) {
  if (m.room !== room) return;
  if (seen.has(m.id)) {
    // Confirmed by its ack first, with the typed text: the stored body has the mentions resolved.
    const shown = /** @type {HTMLElement | null} */ (list.querySelector(`li[data-id="${m.id}"]`));
    if (shown && (m.mentions || m.here)) fillBody(shown, m);
    return;
  }
  const stick = !inBatch && nearBottom();
  seen.add(m.id);
  $('empty')?.remove();
  // My own message, typed in this tab: confirm the pending line instead of adding another.
  // (Only my own messages' frames carry their clientId.)
  const cid = m.user.id === cfg.me.id ? m.clientId : undefined;
  const pending = cid ? list.querySelector(`li[data-client-id="${CSS.escape(cid)}"]`) : null;
  const li = /** @type {HTMLElement} */ (pending ?? messageElement(m));
  if (pending && cid) {
    li.classList.remove('pending', 'failed');
    li.querySelector('.state')?.remove();
    // The server's time, not this tab's clock at typing.
    const time = /** @type {HTMLTimeElement} */ (timeOf(li));
    time.dateTime = new Date(m.ts).toISOString();
    localTime(time);
    // The stored body: mentions resolved.
    fillBody(li, m);
    outbox.delete(cid);
    saveOutbox();
  }
  li.dataset.id = String(m.id);
  li.id = `m${m.id}`;
  if (cfg.canModerate && !li.querySelector('.msg-delete')) li.append(fromTemplate('tpl-delete', 'messageId', m.id) ?? '');
  placeById(li, m.id);
  regroup(li);
  shown(li, m);
  if (firstId === 0) firstId = m.id;
  if (stick) toBottom();
}

/** @param {number} id */
export function removeMessage(id) {
  const li = list.querySelector(`li[data-id="${id}"]`);
  const next = li?.nextElementSibling ?? null;
  li?.remove();
  decorate(next);
}

/** @param {{ clientId: string, body: string }} item */
export function showPending(item) {
  if (list.querySelector(`li[data-client-id="${CSS.escape(item.clientId)}"]`)) return;
  $('empty')?.remove();
  const li = messageElement({ user: cfg.me, body: item.body, ts: Date.now() });
  li.classList.add('pending');
  li.dataset.clientId = item.clientId;
  const state = document.createElement('span');
  state.className = 'state';
  state.textContent = cfg.strings['msg.pending'] ?? '…';
  li.append(state);
  list.append(li);
  decorate(li);
  toBottom();
}

/** @param {string} clientId @param {string} [reason] */
export function markFailed(clientId, reason = '') {
  outbox.delete(clientId);
  saveOutbox();
  const li = list.querySelector(`li[data-client-id="${CSS.escape(clientId)}"]`);
  if (!li) return;
  li.classList.remove('pending');
  li.classList.add('failed');
  const state = li.querySelector('.state');
  // The server's reason, when it gave one (e.g. a direct message to someone who blocked the sender).
  if (state) state.textContent = `${cfg.strings['msg.failed'] ?? '!'}${reason ? `: ${reason}` : ''}`;
}

/** A line in the conversation that is not a message (moderation notices). @param {string} text */
export function systemLine(text) {
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

/** @param {string} query */
async function fetchPage(query) {
  const res = await fetch(`/rooms/${room}/messages?${query}`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`history: ${res.status}`);
  return /** @type {Promise<{ messages: ChatMessage[], hasMore: boolean }>} */ (res.json());
}

/** Messages that came with `joined` or a page: shown, and `lastId` moved past them. @param {ChatMessage[]} messages */
export function showCaughtUp(messages) {
  if (!messages.length) return;
  const stick = nearBottom();
  for (const m of messages) {
    showMessage(m, true);
    lastId = Math.max(lastId, m.id);
  }
  if (stick) toBottom();
}

/**
 * A live message arrived. The server sends a room's messages on a socket in id order, each once
 * (docs/protocol.md): the next id moves `lastId` on, a larger one means ids are missing.
 * @param {number} id
 */
export function received(id) {
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
export async function fillGap() {
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
        showCaughtUp(page.messages);
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
      li.id = `m${m.id}`;
      if (cfg.canModerate) li.append(fromTemplate('tpl-delete', 'messageId', m.id) ?? '');
      list.prepend(li);
      regroup(li);
      shown(li, m);
    }
    if (page.messages[0]) firstId = page.messages[0].id;
    hasOlder = page.hasMore;
    if (!hasOlder) $('older')?.remove();
    scroller.scrollTop += scroller.scrollHeight - height;
  } finally {
    loadingOlder = false;
  }
}

/** Server-rendered history in the reader's zone, grouped; older pages on scroll. */
export function initMessages() {
  for (const li of list.querySelectorAll('li.msg')) {
    localTime(/** @type {HTMLTimeElement} */ (timeOf(li)));
    decorate(li);
    if (li instanceof HTMLElement && li.dataset.id) shown(li, null);
  }
  markMine(list);
  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop < 40) void loadOlder();
  });
  $('older')?.addEventListener('click', (ev) => {
    ev.preventDefault();
    void loadOlder();
  });
}
