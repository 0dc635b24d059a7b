// @ts-check
/**
 * Read state on the chat page: the "new messages" divider at the first unread message when the
 * room opens, reads sent while the reader is at the newest messages (`read` frames, at most one
 * a second), a "N new messages ↓" button instead of scrolling away from what the reader is
 * looking at, and the page title's count of the reader's other rooms.
 * @import { ChatMessage, MessageFrame, UnreadFrame } from '../../../src/shared/protocol.ts'
 */
import { unreadTotals } from '../unread-title.js';
import { send } from './connection.js';
import { $, cfg, room, tr } from './env.js';
import { lastSeenId, nearBottom, toBottom } from './messages.js';

const scroller = $('scroller');
const list = $('messages');
const jump = /** @type {HTMLButtonElement | null} */ (document.getElementById('jump-new'));
const totals = unreadTotals();

/** The newest id a `read` was sent for. */
let readSent = cfg.lastRead ?? 0;
/** Messages that arrived below the view since the reader scrolled up. */
let unseen = 0;
/** @type {number | undefined} */
let readTimer;

/** Marks the first message after the reader's marker that is not their own. */
function placeDivider() {
  const lastRead = cfg.lastRead ?? 0;
  if (lastRead === 0) return undefined;
  for (const el of list.querySelectorAll('li.msg[data-id]')) {
    const li = /** @type {HTMLElement} */ (el);
    if (Number(li.dataset.id) <= lastRead || li.dataset.user === String(cfg.me.id)) continue;
    const p = document.createElement('p');
    p.className = 'new-divider';
    p.setAttribute('role', 'separator');
    p.textContent = tr('unread.divider');
    li.classList.add('first-unread');
    li.prepend(p);
    return li;
  }
  return undefined;
}

function showJump() {
  if (!jump) return;
  jump.hidden = unseen === 0;
  const label = /** @type {HTMLElement} */ (jump.querySelector('.jump-label'));
  label.textContent = tr(unseen === 1 ? 'unread.jump.one' : 'unread.jump', { n: String(unseen) });
}

/** Sends a read for what is on the page, when the reader can see the newest of it. */
function readSoon() {
  if (readTimer !== undefined) return;
  readTimer = window.setTimeout(() => {
    readTimer = undefined;
    if (document.visibilityState !== 'visible' || !nearBottom()) return;
    const id = lastSeenId();
    if (id <= readSent) return;
    readSent = id;
    send({ type: 'read', room, id });
  }, 1000);
}

function atBottom() {
  if (!nearBottom()) return;
  if (unseen) {
    unseen = 0;
    showJump();
  }
  readSoon();
}

/** After the first render: the divider in view if the unread messages do not fit, else the newest. */
export function initUnread() {
  const first = placeDivider();
  if (first && first.offsetTop < scroller.scrollTop) {
    scroller.scrollTop = Math.max(0, first.offsetTop - 8);
    unseen = list.querySelectorAll('li.first-unread, li.first-unread ~ li.msg[data-id]').length;
    showJump();
  }
  scroller.addEventListener('scroll', atBottom, { passive: true });
  document.addEventListener('visibilitychange', atBottom);
  jump?.addEventListener('click', () => {
    toBottom();
    unseen = 0;
    showJump();
    scroller.focus();
    readSoon();
  });
}

/** Before a live message is shown: whether the reader was at the newest messages. */
export const wasAtBottom = () => nearBottom();

/** A live message was shown. @param {ChatMessage | MessageFrame} m @param {boolean} stuck */
export function messageShown(m, stuck) {
  if (m.room !== room) return;
  if (stuck || m.user.id === cfg.me.id) return readSoon();
  unseen++;
  showJump();
}

/** The socket (re)joined: anything read meanwhile is told. */
export const joinedRoom = () => readSoon();

/** Counts of the reader's other rooms, for the title. @param {UnreadFrame} f */
export function otherRoomUnread(f) {
  if (f.room !== room) totals.set(f.room, f.count);
}
