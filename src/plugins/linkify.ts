/**
 * Message text to HTML with http(s) links made clickable. Every piece of text is escaped here;
 * only the anchors' own markup is ours. Other schemes (javascript:, data:) stay plain text.
 * The browser script does the same with DOM nodes (public/js/chat/linkify.js).
 */
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = '.,;:!?)]}\'"';

/**
 * The URL less its trailing punctuation, found by one scan from the end: a regex such as
 * /[.,]+$/ retries from every start in a run of dots not at the end, so it is quadratic.
 */
export function trimTrailing(url: string): string {
  let end = url.length;
  while (end > 0 && TRAILING.includes(url[end - 1]!)) end--;
  return url.slice(0, end);
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function linkifyToHtml(text: string): string {
  let html = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimTrailing(m[0]);
    const start = m.index;
    html += escapeHtml(text.slice(last, start));
    const safe = escapeHtml(url);
    html += `<a href="${safe}" rel="nofollow noopener noreferrer" target="_blank">${safe}</a>`;
    last = start + url.length;
  }
  return html + escapeHtml(text.slice(last));
}
