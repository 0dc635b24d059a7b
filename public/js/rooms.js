// @ts-check
/**
 * The room list's live part: "Your rooms" keeps its unread and mention badges current from
 * `unread` frames (a socket in no room; docs/protocol.md), a room with new messages moves to
 * the top, and the page title shows the total. Each room's last-activity time is written again
 * in the reader's zone, by the function the server used (shared/activity-time.js), and again
 * when the day turns (today's clock becomes a weekday). A new message's frame carries its preview
 * line, which replaces the room's (said only as "a message from someone you blocked" for them).
 * @import { RoomPreview, UnreadFrame } from '../../src/shared/protocol.ts'
 */
import { liveSocket } from './live-socket.js';
import { activityTime, untilMidnight } from './shared/activity-time.js';
import { unreadTotals } from './unread-title.js';

// "Your rooms" and "Direct messages": the same rows, kept the same way.
const lists = /** @type {HTMLElement[]} */ ([...document.querySelectorAll('ul.my-rooms')]);
const list = lists[0];

const LANG = document.documentElement.lang || undefined;

/** @param {HTMLTimeElement} t @param {number} now */
function showActivityTime(t, now) {
  const when = activityTime(new Date(t.dateTime).getTime(), now, LANG, undefined);
  t.textContent = when.text;
  t.title = when.full;
}

function showActivityTimes() {
  const now = Date.now();
  for (const el of document.querySelectorAll('time[data-activity]')) showActivityTime(/** @type {HTMLTimeElement} */ (el), now);
  setTimeout(showActivityTimes, untilMidnight(now) + 1000);
}
showActivityTimes();

/** @param {string} template @param {number} n */
const fill = (template, n) => template.replace('{n}', String(n));

if (list) {
  /** @type {{ count: string, mentions: string }} */
  const strings = JSON.parse(list.dataset.strings ?? '{}');
  /** @type {Set<number>} */
  const blocked = new Set(JSON.parse(list.dataset.blocked ?? '[]'));

  /** The room's preview line, cloned from the one the server renders (views/pages/rooms/list.njk). @param {HTMLElement} li @param {RoomPreview} last */
  const showPreview = (li, last) => {
    const isBlocked = blocked.has(last.user.id);
    const tpl = /** @type {HTMLTemplateElement | null} */ (document.getElementById(isBlocked ? 'tpl-preview-blocked' : 'tpl-preview'));
    const p = /** @type {HTMLElement | null | undefined} */ (tpl?.content.firstElementChild?.cloneNode(true));
    if (!p) return;
    if (!isBlocked) {
      const name = p.querySelector('bdi');
      const body = p.querySelector('span[dir]');
      if (name) name.textContent = last.user.name;
      if (body) body.textContent = last.text;
    }
    const time = /** @type {HTMLTimeElement | null} */ (p.querySelector('time'));
    if (time) {
      time.dateTime = new Date(last.ts).toISOString();
      showActivityTime(time, Date.now());
    }
    li.querySelector('p.preview')?.replaceWith(p);
  };
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
    if (f.last) showPreview(li, f.last);
    // New activity: the room moves up to where the newest activity is.
    if ((f.last || f.count > before) && own.firstElementChild !== li) own.prepend(li);
  };

  liveSocket({
    onFrame: (f) => {
      if (f.type === 'unread') onUnread(f);
    },
  });
}
