// @ts-check
/**
 * The room list's live part: "Your rooms" keeps its unread and mention badges current from
 * `unread` frames (a socket in no room; docs/protocol.md), a room with new messages moves to
 * the top, and the page title shows the total.
 * @import { UnreadFrame } from '../../src/shared/protocol.ts'
 */
import { liveSocket } from './live-socket.js';
import { unreadTotals } from './unread-title.js';

// "Your rooms" and "Direct messages": the same rows, kept the same way.
const lists = /** @type {HTMLElement[]} */ ([...document.querySelectorAll('ul.my-rooms')]);
const list = lists[0];

/** @param {string} template @param {number} n */
const fill = (template, n) => template.replace('{n}', String(n));

if (list) {
  /** @type {{ count: string, mentions: string }} */
  const strings = JSON.parse(list.dataset.strings ?? '{}');
  const totals = unreadTotals();
  for (const li of lists.flatMap((l) => [...l.querySelectorAll('li[data-room]')])) {
    const el = /** @type {HTMLElement} */ (li);
    totals.set(Number(el.dataset.room), Number(el.dataset.count));
  }

  /** @param {Element | null} badge @param {string} shown @param {string} spoken @param {boolean} on */
  const setBadge = (badge, shown, spoken, on) => {
    if (!(badge instanceof HTMLElement)) return;
    badge.hidden = !on;
    const [visible, sr] = badge.children;
    if (visible) visible.textContent = shown;
    if (sr) sr.textContent = spoken;
  };

  /** @param {UnreadFrame} f */
  const onUnread = (f) => {
    totals.set(f.room, f.count);
    const li = /** @type {HTMLElement | null} */ (lists.map((l) => l.querySelector(`li[data-room="${f.room}"]`)).find(Boolean) ?? null);
    const own = li?.parentElement;
    if (!li || !own) return;
    const before = Number(li.dataset.count);
    li.dataset.count = String(f.count);
    li.dataset.mentions = String(f.mentions);
    li.classList.toggle('has-unread', f.count > 0);
    setBadge(li.querySelector('.badge.unread'), f.count > 99 ? '99+' : String(f.count), fill(strings.count, f.count), f.count > 0);
    setBadge(li.querySelector('.badge.mention'), `@${f.mentions}`, fill(strings.mentions, f.mentions), f.mentions > 0);
    // New activity: the room moves up to where the newest activity is.
    if (f.count > before && own.firstElementChild !== li) own.prepend(li);
  };

  liveSocket({
    onFrame: (f) => {
      if (f.type === 'unread') onUnread(f);
    },
  });
}
