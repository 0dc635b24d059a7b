// @ts-check
/** Dates in the page's language and the reader's time zone (the server writes UTC). */

const LANG = document.documentElement.lang || undefined;
// Built once: a toLocale…String call with options builds a new formatter each time (per message).
const SHORT = new Intl.DateTimeFormat(LANG, { dateStyle: 'short', timeStyle: 'short' });
const FULL = new Intl.DateTimeFormat(LANG, { dateStyle: 'full', timeStyle: 'short' });
const CLOCK = new Intl.DateTimeFormat(LANG, { timeStyle: 'short' });
const DAY = new Intl.DateTimeFormat(LANG, { dateStyle: 'full' });

/** A moment as date and time, in full (e.g. "Thursday, 3 December 2026 at 16:59"). @param {number} ms */
export const fmtFull = (ms) => FULL.format(ms);

/** A moment as date and time, short. @param {number} ms */
export const fmtTime = (ms) => SHORT.format(ms);

/**
 * A message's <time> in the reader's zone: the clock, and the full date as text that screen
 * readers read and that shows when the message has focus or was tapped (chat/dates.js); the
 * title is for the mouse. Same parts as the server's (chat-macros.njk `message`).
 * @param {HTMLTimeElement} t
 */
export function localTime(t) {
  const d = new Date(t.dateTime);
  const full = FULL.format(d);
  const clock = t.querySelector('.clock');
  const long = t.querySelector('.full');
  if (clock && long) {
    clock.textContent = CLOCK.format(d);
    long.textContent = full;
  } else {
    t.textContent = CLOCK.format(d);
  }
  t.title = full;
}

/** A <time> with both date and time as its text (end times, audit rows). @param {HTMLTimeElement} t */
export function localDateTime(t) {
  const d = new Date(t.dateTime);
  t.textContent = SHORT.format(d);
  t.title = FULL.format(d);
}

/** A day's heading, e.g. "Wednesday, 2 December 2026". @param {Date} d */
export const fmtDay = (d) => DAY.format(d);

/** Every `<time data-local>` on the page, rewritten in the reader's zone (`data-local="until"`: an end time). */
export function localizeTimes(root = document) {
  for (const el of root.querySelectorAll('time[data-local]')) {
    const t = /** @type {HTMLTimeElement} */ (el);
    localDateTime(t);
    if (t.dataset.local === 'until') t.textContent = fmtUntil(new Date(t.dateTime).getTime());
  }
}

/** An end time: the clock alone today, with the date otherwise. @param {number} ms */
export function fmtUntil(ms) {
  const d = new Date(ms);
  return d.toDateString() === new Date().toDateString() ? CLOCK.format(d) : SHORT.format(d);
}
