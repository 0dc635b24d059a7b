// @ts-check
/** The page title carries the reader's unread total: `(3) Rooms · hihi`. */

const base = document.title.replace(/^\(\d+\+?\) /, '');

/** @param {number} n */
export function showUnreadTotal(n) {
  document.title = n > 0 ? `(${n > 99 ? '99+' : n}) ${base}` : base;
}

/** Per-room counts as `unread` frames tell them; the title shows their sum. */
export function unreadTotals() {
  /** @type {Map<number, number>} */
  const counts = new Map();
  return {
    /** @param {number} room @param {number} count */
    set(room, count) {
      counts.set(room, count);
      let n = 0;
      for (const c of counts.values()) n += c;
      showUnreadTotal(n);
    },
  };
}
