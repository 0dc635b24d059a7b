// @ts-check
/**
 * A message's full date, beyond the mouse's title: shown while the message has keyboard focus
 * or after a tap on it. The list stays one tab stop (the scroller): Up and Down move focus from
 * message to message (roving, tabindex -1), Escape goes back to the list. Screen readers read
 * the full date in any case (its text is only visually hidden).
 */
import { $ } from './env.js';

export function initDates() {
  const scroller = $('scroller');
  const list = $('messages');
  /** @param {Element | null} li */
  const isMsg = (li) => li instanceof HTMLElement && li.matches('li.msg:not(.system)');
  /** @param {Element | null} li @param {'previousElementSibling' | 'nextElementSibling'} dir */
  function step(li, dir) {
    let el = li?.[dir] ?? null;
    while (el && !isMsg(el)) el = el[dir];
    return /** @type {HTMLElement | null} */ (el);
  }
  /** @param {HTMLElement | null} li */
  function focusMsg(li) {
    if (!li) return;
    li.tabIndex = -1;
    li.focus();
  }
  scroller.addEventListener('keydown', (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    const at = /** @type {HTMLElement} */ (ev.target);
    if (at === scroller && ev.key === 'ArrowUp') {
      // From the list itself: the newest message first.
      let last = /** @type {Element | null} */ (list.lastElementChild);
      while (last && !isMsg(last)) last = last.previousElementSibling;
      focusMsg(/** @type {HTMLElement | null} */ (last));
    } else if (isMsg(at) && (ev.key === 'ArrowUp' || ev.key === 'ArrowDown')) {
      focusMsg(step(at, ev.key === 'ArrowUp' ? 'previousElementSibling' : 'nextElementSibling'));
    } else if (isMsg(at) && ev.key === 'Escape') {
      scroller.focus();
    } else {
      return;
    }
    ev.preventDefault();
  });
  // A tap (or click) on a message shows its full date until another message is tapped; not a tap on its links or buttons.
  list.addEventListener('click', (ev) => {
    const target = /** @type {Element} */ (ev.target);
    if (target.closest('a, button, summary, form')) return;
    const li = target.closest('li.msg');
    for (const el of list.querySelectorAll('li.show-full')) if (el !== li) el.classList.remove('show-full');
    li?.classList.toggle('show-full');
  });
}
