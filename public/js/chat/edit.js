// @ts-check
/**
 * Editing and deleting one's own messages, and replying: each message's action buttons (Reply;
 * Edit within the edit window and Delete on one's own), the inline editor (Enter saves, Escape
 * cancels; Up in the empty composer edits one's last message), reply quotes on live messages,
 * and the `edited`/`deleted` changes as they arrive. The server decides every change
 * (docs/protocol.md): this only asks, and shows what it is told.
 * @import { ChatMessage, ChangeFrame, ErrorFrame, UserRef } from '../../../src/shared/protocol.ts'
 */
import { $, cfg, room, tr } from './env.js';
import { send } from './connection.js';
import { markMine, onShown, removeMessage } from './messages.js';
import { mentionSource, quoteCut, quoteLine, renderMarkdown } from '../shared/markdown.js';
import { fmtFull } from './time.js';

const list = $('messages');
const input = /** @type {HTMLTextAreaElement | null} */ (document.getElementById('body'));
const composer = /** @type {HTMLFormElement | null} */ (document.getElementById('composer'));

/** @param {number} id */
const messageLi = (id) => /** @type {HTMLElement | null} */ (list.querySelector(`li.msg[data-id="${id}"]`));
/** @param {HTMLElement} li */
const sentAt = (li) => new Date(/** @type {HTMLTimeElement | null} */ (li.querySelector(':scope > .msg-head > time'))?.dateTime ?? 0).getTime();
/** @param {HTMLElement} li */
const isOwn = (li) => li.dataset.user === String(cfg.me.id);
/** @param {HTMLElement} li */
const editable = (li) => isOwn(li) && Date.now() - sentAt(li) <= cfg.editWindowMs;

/** A shown text's first line, at most 120 characters (as shared/markdown.js quoteLine). @param {string} text */
const firstLine = (text) => quoteCut(text.split('\n', 1)[0] ?? '');

/** A message's author and first line, as a reply quotes it. @param {HTMLElement} li */
function quoteOf(li) {
  return { name: li.querySelector(':scope > .msg-head .author')?.textContent ?? '', text: firstLine(li.querySelector(':scope > .body')?.textContent ?? '') };
}

/** Fills a reply's quote: the original's author and first line, or that it is gone. @param {HTMLAnchorElement} a @param {{ name: string, text: string } | null} q */
function fillQuote(a, q) {
  a.classList.toggle('gone', !q);
  if (!q) {
    a.replaceChildren(tr('msg.originalDeleted'));
    return;
  }
  const who = document.createElement('bdi');
  who.className = 'q-author';
  who.textContent = q.name;
  const text = document.createElement('span');
  text.className = 'q-text';
  text.dir = 'auto';
  text.textContent = q.text;
  a.replaceChildren(who, ' ', text);
}

/** The original of a reply, from the page or else from history (`?after=id-1&limit=1`). @param {number} id */
async function findQuote(id) {
  const li = messageLi(id);
  if (li) return quoteOf(li);
  const res = await fetch(`/rooms/${room}/messages?after=${id - 1}&limit=1`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`history: ${res.status}`);
  const m = /** @type {{ messages: ChatMessage[] }} */ (await res.json()).messages[0];
  return m && m.id === id ? { name: m.user.name, text: quoteLine(m.body, { mentions: m.mentions }) } : null;
}

/**
 * The users a shown message mentions, read back from its rendered mentions (an edit keeps only
 * mentions the message already made, so these are all an edited body can hold).
 * @param {HTMLElement | null} li
 * @returns {{ mentions: UserRef[], here: boolean }}
 */
function mentionsShown(li) {
  /** @type {Map<number, UserRef>} */
  const refs = new Map();
  for (const el of li?.querySelectorAll(':scope > .body .mention[data-user]') ?? []) {
    const id = Number(/** @type {HTMLElement} */ (el).dataset.user);
    refs.set(id, { id, name: (el.textContent ?? '').replace(/^@/, '') });
  }
  return { mentions: [...refs.values()], here: !!li?.querySelector(':scope > .body .mention.here') };
}

/**
 * What the author typed, to edit: the stored body (Markdown source, mentions as `@name`), read
 * from history; the shown text if that read fails.
 * @param {HTMLElement} li
 */
async function sourceOf(li) {
  const id = Number(li.dataset.id);
  try {
    const res = await fetch(`/rooms/${room}/messages?after=${id - 1}&limit=1`, { headers: { accept: 'application/json' } });
    const m = res.ok ? /** @type {{ messages: ChatMessage[] }} */ (await res.json()).messages[0] : undefined;
    if (m && m.id === id) return mentionSource(m.body, m.mentions);
  } catch {
    // Offline: the text on screen is the best there is.
  }
  return li.querySelector(':scope > .body')?.textContent ?? '';
}

/** A live (or paged) reply: its quote, found on the page or read. @param {HTMLElement} li @param {number} replyTo */
function addQuote(li, replyTo) {
  if (li.querySelector(':scope > .quote')) return;
  const a = document.createElement('a');
  a.className = 'quote';
  a.href = `#m${replyTo}`;
  a.dataset.reply = String(replyTo);
  a.textContent = '…';
  li.querySelector(':scope > .body')?.before(a);
  findQuote(replyTo).then(
    (q) => fillQuote(a, q),
    () => fillQuote(a, null),
  );
}

/**
 * Shows "(edited)" as a <time> of the edit, cloned from the server's mark (chat-macros.njk
 * `editedMark`, template `tpl-edited`): the word, and "edited <full date>" for screen readers,
 * the mouse's title and a focus or tap, in the reader's zone.
 * @param {HTMLElement} li @param {number} at
 */
function markEdited(li, at) {
  const mark = /** @type {HTMLElement | null} */ (li.querySelector(':scope > .msg-head > .edited'));
  const time = /** @type {HTMLTimeElement | null | undefined} */ (/** @type {HTMLTemplateElement | null} */ (document.getElementById('tpl-edited'))?.content.querySelector('time')?.cloneNode(true));
  if (!mark || !time) return;
  time.dateTime = new Date(at).toISOString();
  time.title = tr('msg.editedAt', { time: fmtFull(at) });
  /** @type {HTMLElement} */ (time.querySelector('.full')).textContent = time.title;
  mark.replaceChildren(time);
  mark.hidden = false;
}

/** @param {string} cls @param {string} key @param {() => void} act */
function button(cls, key, act) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `btn ghost ${cls}`;
  b.textContent = tr(key);
  b.addEventListener('click', act);
  return b;
}

/** A confirmed message's buttons: Reply for any (members), Edit and Delete for one's own. @param {HTMLElement} li */
function addActions(li) {
  if (!cfg.live || !cfg.member || cfg.archived || !composer || li.querySelector(':scope > .msg-actions')) return;
  const id = Number(li.dataset.id);
  const bar = document.createElement('div');
  bar.className = 'msg-actions';
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', tr('msg.actions'));
  bar.append(button('act-reply', 'msg.reply', () => startReply(li)));
  if (isOwn(li)) {
    if (editable(li)) bar.append(button('act-edit', 'msg.edit', () => startEdit(li)));
    bar.append(
      button('act-delete', 'msg.delete', () => {
        if (confirm(tr('msg.confirmDelete'))) send({ type: 'delete', room, id });
      }),
    );
  }
  li.append(bar);
  keepRoom(li, bar);
}

/** Widths of the action bars by their buttons: a page has a few kinds, each measured once. @type {Map<string, number>} */
const barWidths = new Map();
/**
 * Tells the message's first row how much room its actions take (`--act-w`, app.css), so its
 * text stays clear of them.
 * @param {HTMLElement} li @param {HTMLElement} bar
 */
function keepRoom(li, bar) {
  const kind = [...bar.children].map((b) => b.className).join();
  let width = barWidths.get(kind);
  if (width === undefined) {
    width = bar.offsetWidth;
    // Not laid out (a collapsed message): the stylesheet's default until it is.
    if (!width) return;
    barWidths.set(kind, width);
  }
  li.style.setProperty('--act-w', `${width}px`);
}

// ---- Replying: the composer carries the message answered until it is sent or cancelled.

/** @type {number | undefined} */
let replyTo;
const replyBar = document.createElement('p');
replyBar.className = 'reply-bar';
replyBar.hidden = true;

/** @param {HTMLElement} li */
function startReply(li) {
  replyTo = Number(li.dataset.id);
  const q = quoteOf(li);
  const label = document.createElement('span');
  label.textContent = `${tr('msg.replyingTo', { name: q.name })}: ${q.text}`;
  replyBar.replaceChildren(label, button('reply-cancel', 'msg.cancel', cancelReply));
  replyBar.hidden = false;
  input?.focus();
}
function cancelReply() {
  replyTo = undefined;
  replyBar.hidden = true;
  replyBar.replaceChildren();
}
/** The message the composer answers, once: the composer takes it with the message it sends. */
export function takeReply() {
  const id = replyTo;
  cancelReply();
  return id === undefined ? {} : { replyTo: id };
}

// ---- Editing one's own message in place.

/** @type {{ li: HTMLElement, id: number, area: HTMLTextAreaElement, source: string, unfollow: () => void } | undefined} */
let editing;

/** @param {HTMLElement} li */
async function startEdit(li) {
  if (editing) stopEdit();
  const source = await sourceOf(li);
  if (editing) stopEdit();
  const body = /** @type {HTMLElement} */ (li.querySelector(':scope > .body'));
  const area = document.createElement('textarea');
  area.className = 'edit-area';
  area.value = source;
  area.maxLength = 2000;
  area.setAttribute('aria-label', tr('msg.editLabel'));
  const hint = document.createElement('p');
  hint.className = 'edit-hint';
  hint.id = `edit-hint-${li.dataset.id}`;
  hint.textContent = tr('msg.editing');
  area.setAttribute('aria-describedby', hint.id);
  const form = document.createElement('form');
  form.className = 'edit-form';
  form.append(area, hint, button('edit-cancel', 'msg.cancel', () => stopEdit(true)), Object.assign(document.createElement('button'), { type: 'submit', className: 'btn primary edit-save', textContent: tr('msg.save') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save();
  });
  area.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      stopEdit(true);
    } else if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      save();
    }
  });
  body.hidden = true;
  body.after(form);
  li.classList.add('editing');
  area.focus({ preventScroll: true });
  area.setSelectionRange(area.value.length, area.value.length);
  editing = { li, id: Number(li.dataset.id), area, source, unfollow: reveal(form) };
}

/**
 * The whole editor in view, its buttons included (focus alone scrolls only the text field into
 * view); again when the viewport shrinks, as a phone's keyboard opening makes it.
 * @param {HTMLElement} form
 * @returns {() => void} stops following the viewport (the editor closed)
 */
function reveal(form) {
  const scroller = $('scroller');
  // Taller than the list (a long text, a small viewport): its end, where the caret and the buttons are.
  const show = () => {
    if (form.isConnected) form.scrollIntoView({ block: form.offsetHeight > scroller.clientHeight ? 'end' : 'nearest' });
  };
  show();
  const viewport = window.visualViewport ?? window;
  viewport.addEventListener('resize', show);
  return () => viewport.removeEventListener('resize', show);
}

function save() {
  if (!editing) return;
  const text = editing.area.value.trim();
  if (!text || text === editing.source.trim()) return stopEdit(true);
  send({ type: 'edit', room, id: editing.id, body: text });
  editing.area.disabled = true;
}

/** @param {boolean} [refocus] back to the composer */
function stopEdit(refocus = false) {
  if (!editing) return;
  const { li, unfollow } = editing;
  unfollow();
  li.querySelector(':scope > .edit-form')?.remove();
  /** @type {HTMLElement} */ (li.querySelector(':scope > .body')).hidden = false;
  li.classList.remove('editing');
  editing = undefined;
  if (refocus) input?.focus();
}

// ---- Changes from the server (live, or carried by `joined`).

/** @param {ChangeFrame} c */
export function applyChange(c) {
  if (c.room !== room) return;
  const li = messageLi(c.id);
  if (c.type === 'edited') {
    if (li) {
      const body = /** @type {HTMLElement} */ (li.querySelector(':scope > .body'));
      const { mentions, here } = mentionsShown(li);
      body.innerHTML = renderMarkdown(c.body, { mentions, ...(here ? { here: true } : {}) });
      markMine(body);
      markEdited(li, c.editedAt);
      if (editing?.id === c.id) stopEdit(editing.area === document.activeElement);
      li.querySelector(':scope > .msg-actions .act-edit')?.remove();
      if (editable(li)) li.querySelector(':scope > .msg-actions .act-reply')?.after(button('act-edit', 'msg.edit', () => startEdit(li)));
      const bar = /** @type {HTMLElement | null} */ (li.querySelector(':scope > .msg-actions'));
      if (bar) keepRoom(li, bar);
    }
    for (const a of list.querySelectorAll(`a.quote[data-reply="${c.id}"]`)) fillQuote(/** @type {HTMLAnchorElement} */ (a), li ? quoteOf(li) : { name: a.querySelector('.q-author')?.textContent ?? '', text: quoteLine(c.body.replace(/<@\d{1,15}>/g, '@…')) });
  } else {
    if (editing?.id === c.id) stopEdit();
    if (replyTo === c.id) cancelReply();
    removeMessage(c.id);
    for (const a of list.querySelectorAll(`a.quote[data-reply="${c.id}"]`)) fillQuote(/** @type {HTMLAnchorElement} */ (a), null);
  }
}

/** An `edit` or `delete` was refused: the editor says why and stays open. @param {ErrorFrame} f */
export function changeRefused(f) {
  if (!editing || editing.id !== f.id) return;
  editing.area.disabled = false;
  const hint = editing.li.querySelector('.edit-hint');
  if (hint) hint.textContent = f.code === 'forbidden' ? tr('msg.refused', { reason: tr('msg.tooLate') }) : tr('msg.failed');
}

export function initEdits() {
  onShown((li, m) => {
    if (m?.replyTo) addQuote(li, m.replyTo);
    if (m?.editedAt) markEdited(li, m.editedAt);
    // Rendered by the server in UTC: the same mark in the reader's zone.
    const edited = m ? null : /** @type {HTMLTimeElement | null} */ (li.querySelector(':scope > .msg-head > .edited > time'));
    if (edited) markEdited(li, Date.parse(edited.dateTime));
    addActions(li);
  });
  if (!composer || !input) return;
  composer.prepend(replyBar);
  // Up in the empty composer edits one's newest message still in the edit window.
  input.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowUp' || input.value !== '' || ev.shiftKey || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const own = [...list.querySelectorAll(`li.msg[data-id][data-user="${cfg.me.id}"]`)].at(-1);
    if (own instanceof HTMLElement && editable(own)) {
      ev.preventDefault();
      startEdit(own);
    }
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && replyTo !== undefined) cancelReply();
  });
}
