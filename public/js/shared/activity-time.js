// @ts-check
/**
 * A room's last activity as chat apps show it: the time of day for today, the weekday for the
 * six days before, day and month earlier this year, and with the year before that; the full
 * date and time (with its zone) for a title. One function for the server, which renders in UTC
 * (it does not know the reader's zone), and for the room list's script (public/js/rooms.js),
 * which renders again in the reader's zone: same moment, zone and language, same text.
 */

/** @type {Map<string, Intl.DateTimeFormat>} */
const formats = new Map();

/** @param {string | undefined} locale @param {string | undefined} timeZone @param {Intl.DateTimeFormatOptions} options */
function format(locale, timeZone, options) {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(locale, { ...options, ...(timeZone ? { timeZone } : {}) })));
  return f;
}

/** The calendar day of `ms` in the zone, as a day number (days since 1970-01-01). @param {number} ms @param {string | undefined} timeZone */
function dayNumber(ms, timeZone) {
  const parts = format('en-US', timeZone, { year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(ms);
  /** @param {string} type */
  const part = (type) => Number(parts.find((p) => p.type === type)?.value);
  return Math.round(Date.UTC(part('year'), part('month') - 1, part('day')) / 86_400_000);
}

/** @param {number} ms @param {string | undefined} timeZone */
const yearOf = (ms, timeZone) => format('en-US', timeZone, { year: 'numeric' }).format(ms);

/**
 * @param {number} ms the moment
 * @param {number} now the current moment (what "today" is)
 * @param {string | undefined} locale e.g. 'en', 'zh-CN'
 * @param {string | undefined} timeZone an IANA zone; undefined: the runtime's own (the reader's, in a browser)
 * @returns {{ text: string, full: string }}
 */
export function activityTime(ms, now, locale, timeZone) {
  const days = dayNumber(now, timeZone) - dayNumber(ms, timeZone);
  /** @type {Intl.DateTimeFormatOptions} */
  const options =
    days <= 0
      ? { timeStyle: 'short' }
      : days < 7
        ? { weekday: 'short' }
        : yearOf(ms, timeZone) === yearOf(now, timeZone)
          ? { month: 'short', day: 'numeric' }
          : { year: 'numeric', month: 'short', day: 'numeric' };
  return {
    text: format(locale, timeZone, options).format(ms),
    full: format(locale, timeZone, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(ms),
  };
}

/** Milliseconds from `now` to the next midnight in the runtime's zone (when "today" changes). @param {number} now */
export function untilMidnight(now) {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() - now;
}
