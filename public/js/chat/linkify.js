// @ts-check
/** Message text as DOM nodes, linked as the server's linkify filter (src/plugins/linkify.ts) does. */

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = '.,;:!?)]}\'"';

/**
 * The URL less its trailing punctuation, by one scan from the end (a regex like /[.,]+$/ is
 * quadratic on a run of dots). The same as trimTrailing in src/plugins/linkify.ts.
 * @param {string} url
 */
function trimTrailing(url) {
  let end = url.length;
  while (end > 0 && TRAILING.includes(url[end - 1] ?? '')) end--;
  return url.slice(0, end);
}

/**
 * Text nodes, and anchors for http(s) links only. Nothing is parsed as HTML.
 * @param {string} text
 */
export function linkified(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimTrailing(m[0]);
    const start = m.index ?? 0;
    frag.append(text.slice(last, start));
    const a = document.createElement('a');
    a.href = url;
    a.rel = 'nofollow noopener noreferrer';
    a.target = '_blank';
    a.textContent = url;
    frag.append(a);
    last = start + url.length;
  }
  frag.append(text.slice(last));
  return frag;
}
