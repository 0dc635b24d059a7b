// @ts-check
/**
 * Message text to HTML: the one renderer of a message body, run by the server (history on the
 * chat page, imported by src/plugins/views.ts) and by the page script (live messages), so both
 * give the same bytes (test/browser/markdown-same.test.ts).
 *
 * A small Markdown subset: **bold**, *italic* / _italic_, ~~strike~~, `code`, fenced (three backticks) code
 * blocks, > quotes, - / 1. lists, and http(s):// and www. links; `<@ID>` is a mention of user ID
 * and `@here` a call to everyone online, both shown only when the message's `mentions` / `here`
 * say the server resolved them (docs/protocol.md). Every piece of the text is escaped here and
 * the only markup is this module's own tags: raw HTML is never passed through, there are no
 * images. Each line is read once and each inline piece at most twice, so the time is linear in
 * the text (test/unit/markdown.test.ts).
 */

/** @typedef {{ id: number, name: string }} MentionRef */
/**
 * @typedef {object} RenderOptions
 * @property {readonly MentionRef[]} [mentions] users the server resolved as mentioned
 * @property {boolean} [here] the server accepted the message's `@here`
 */

const LINK_ATTRS = 'rel="noopener noreferrer nofollow ugc" target="_blank"';
/** Characters a link never contains (as the old linkify had it). */
const NOT_URL = ' \t\n\r<>"\'`';
/** Punctuation at a link's end that belongs to the sentence, not the link. */
const TRAILING = '.,;:!?)]}\'"*_~';

/** @type {Record<string, string>} */
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** @param {string} s */
export const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/**
 * The URL less its trailing punctuation, found by one scan from the end: a regex such as
 * /[.,]+$/ retries from every start in a run of dots not at the end, so it is quadratic.
 * @param {string} url
 */
export function trimTrailing(url) {
  let end = url.length;
  while (end > 0 && TRAILING.includes(url[end - 1] ?? '')) end--;
  return url.slice(0, end);
}

/** @param {string | undefined} c */
const isSpace = (c) => c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r';
/** @param {string | undefined} c */
const isWord = (c) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/**
 * A link starting at `i`, or 0: its length before the trailing punctuation.
 * @param {string} s
 * @param {number} i
 */
function linkAt(s, i) {
  if (i > 0 && (isWord(s[i - 1]) || s[i - 1] === '/' || s[i - 1] === '.')) return 0;
  const head = s.slice(i, i + 8).toLowerCase();
  let start;
  if (head.startsWith('https://')) start = 8;
  else if (head.startsWith('http://')) start = 7;
  else if (head.startsWith('www.')) start = 4;
  else return 0;
  let end = i + start;
  while (end < s.length && !NOT_URL.includes(s[end] ?? ' ')) end++;
  const url = trimTrailing(s.slice(i, end));
  // Something after the scheme (or after "www.") that is more than punctuation.
  return url.length > start ? url.length : 0;
}

/** Emphasis markers and their tags. */
const TAGS = /** @type {const} */ ({ '**': 'strong', '*': 'em', _: 'em', '~~': 'del' });
/** @typedef {keyof typeof TAGS} Marker */

/**
 * One paragraph's (or list item's, or quote's) text as HTML. Output goes into `out` as pieces;
 * an opening marker's piece is its literal text until a matching closer turns it into a tag.
 * Openers wait on a stack; a closer matches the nearest open one of its kind, and the openers
 * above that one stay literal text (so the tags always nest). Each opener is pushed and popped
 * once: linear.
 * @param {string} s
 * @param {Map<number, MentionRef>} mentions
 * @param {RenderOptions} opts
 */
function inline(s, mentions, opts) {
  /** @type {string[]} */
  const out = [];
  /** @type {Array<{ marker: Marker, at: number }>} */
  const open = [];
  /** How many of each marker are open, so a closer with none open costs nothing. */
  /** @type {Record<Marker, number>} */
  const openCount = { '**': 0, '*': 0, _: 0, '~~': 0 };
  let text = 0;
  let noMoreTicks = false;
  const flush = (/** @type {number} */ to) => {
    if (to > text) out.push(escapeHtml(s.slice(text, to)));
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '`' && !noMoreTicks) {
      const close = s.indexOf('`', i + 1);
      if (close < 0) {
        // No later backtick: none of the rest opens a span, so it is not searched again.
        noMoreTicks = true;
        i++;
        continue;
      }
      if (close > i + 1) {
        flush(i);
        out.push(`<code>${escapeHtml(s.slice(i + 1, close))}</code>`);
        i = text = close + 1;
        continue;
      }
      i = close + 1;
      continue;
    }
    if (c === 'h' || c === 'H' || c === 'w' || c === 'W') {
      const n = linkAt(s, i);
      if (n > 0) {
        flush(i);
        const url = s.slice(i, i + n);
        const href = /^https?:/i.test(url) ? url : `https://${url}`;
        out.push(`<a href="${escapeHtml(href)}" ${LINK_ATTRS}>${escapeHtml(url)}</a>`);
        i = text = i + n;
        continue;
      }
    }
    if (c === '<' && s[i + 1] === '@') {
      const m = /^<@(\d{1,15})>/.exec(s.slice(i, i + 19));
      const ref = m ? mentions.get(Number(m[1])) : undefined;
      if (m && ref) {
        flush(i);
        // The same for every reader (the server keeps the HTML): the page script marks the reader's own.
        out.push(`<span class="mention" data-user="${ref.id}">@${escapeHtml(ref.name)}</span>`);
        i = text = i + m[0].length;
        continue;
      }
    }
    if (c === '@' && opts.here && s.startsWith('@here', i) && !isWord(s[i - 1]) && !isWord(s[i + 5])) {
      flush(i);
      out.push('<span class="mention here">@here</span>');
      i = text = i + 5;
      continue;
    }
    if (c === '*' || c === '_' || (c === '~' && s[i + 1] === '~')) {
      /** @type {Marker} */
      let marker = c === '~' ? '~~' : c === '*' && s[i + 1] === '*' ? '**' : c;
      const before = s[i - 1];
      // In a run such as the end of ***x***, the innermost open one closes first.
      if (marker === '**' && !isSpace(before) && open.at(-1)?.marker === '*') marker = '*';
      const len = marker.length;
      const after = s[i + len];
      // `_` inside a word (snake_case) is text.
      const intraword = marker === '_' && isWord(before) && isWord(after);
      const canClose = !isSpace(before) && !intraword && openCount[marker] > 0;
      const canOpen = !isSpace(after) && !intraword;
      if (canClose) {
        flush(i);
        let top = open.pop();
        while (top && top.marker !== marker) {
          openCount[top.marker]--;
          top = open.pop();
        }
        if (top) {
          openCount[marker]--;
          out[top.at] = `<${TAGS[marker]}>`;
          out.push(`</${TAGS[marker]}>`);
        }
        i = text = i + len;
        continue;
      }
      if (canOpen) {
        flush(i);
        open.push({ marker, at: out.length });
        openCount[marker]++;
        out.push(escapeHtml(marker));
        i = text = i + len;
        continue;
      }
      i += len;
      continue;
    }
    i++;
  }
  flush(s.length);
  return out.join('');
}

const FENCE = /^ {0,3}```/;
const FENCE_END = /^ {0,3}```\s*$/;
const QUOTE = /^ {0,3}> ?/;
const BULLET = /^ {0,3}[-*+][ \t]+(?=\S)/;
const NUMBERED = /^ {0,3}(\d{1,9})[.)][ \t]+(?=\S)/;

/**
 * The body as HTML: blocks (paragraphs, code blocks, quotes, lists) one after another with no
 * text between them; line breaks inside a block stay "\n" (the page shows them: white-space:
 * pre-wrap). A code block runs to its closing fence (three backticks) or to the end of the message.
 * @param {string} body
 * @param {RenderOptions} [opts]
 */
export function renderMarkdown(body, opts = {}) {
  const mentions = new Map((opts.mentions ?? []).map((r) => [r.id, r]));
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  let html = '';
  /** @type {string[]} */
  let para = [];
  const endPara = () => {
    if (para.length) html += `<p>${inline(para.join('\n'), mentions, opts)}</p>`;
    para = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = /** @type {string} */ (lines[i]);
    if (FENCE.test(line)) {
      endPara();
      const code = [];
      for (i++; i < lines.length && !FENCE_END.test(/** @type {string} */ (lines[i])); i++) code.push(lines[i]);
      i++;
      // Focusable: a block wider than the message scrolls, and a keyboard must reach it too.
      html += `<pre tabindex="0"><code>${escapeHtml(code.join('\n'))}</code></pre>`;
      continue;
    }
    if (QUOTE.test(line)) {
      endPara();
      /** @type {string[]} */
      const inner = [];
      for (; i < lines.length && QUOTE.test(/** @type {string} */ (lines[i])); i++) inner.push(/** @type {string} */ (lines[i]).replace(QUOTE, ''));
      const paras = inner
        .join('\n')
        .split(/\n[ \t]*\n/)
        .filter((p) => p.trim() !== '');
      html += `<blockquote>${paras.map((p) => `<p>${inline(p, mentions, opts)}</p>`).join('')}</blockquote>`;
      continue;
    }
    const bullet = BULLET.test(line);
    const numbered = NUMBERED.exec(line);
    if (bullet || numbered) {
      endPara();
      const re = bullet ? BULLET : NUMBERED;
      const first = numbered ? Number(numbered[1]) : 1;
      let items = '';
      for (; i < lines.length && re.test(/** @type {string} */ (lines[i])); i++) {
        items += `<li>${inline(/** @type {string} */ (lines[i]).replace(re, ''), mentions, opts)}</li>`;
      }
      html += bullet ? `<ul>${items}</ul>` : `<ol${first === 1 ? '' : ` start="${first}"`}>${items}</ol>`;
      continue;
    }
    if (line.trim() === '') endPara();
    else para.push(line);
    i++;
  }
  endPara();
  return html;
}

/** A mention token in a stored body. */
export const MENTION_TOKEN = /<@(\d{1,15})>/g;

/**
 * The body as its author would type it again (for editing): each resolved mention token back
 * to `@name` while the name is a plain word (a username), the token itself otherwise.
 * @param {string} body
 * @param {readonly MentionRef[]} [mentions]
 */
export function mentionSource(body, mentions = []) {
  const names = new Map(mentions.map((r) => [String(r.id), r.name]));
  return body.replace(MENTION_TOKEN, (token, id) => {
    const name = names.get(id);
    return name && /^[\p{L}\p{M}\p{N}._-]+$/u.test(name) ? `@${name}` : token;
  });
}

/**
 * The body as plain text to show (a reply's quote): each resolved mention token as `@` and the
 * user's name, whatever the name; an unresolved token stays as it is.
 * @param {string} body
 * @param {readonly MentionRef[]} [mentions]
 */
export function mentionText(body, mentions = []) {
  if (!mentions.length) return body;
  const names = new Map(mentions.map((r) => [String(r.id), r.name]));
  return body.replace(MENTION_TOKEN, (token, id) => {
    const name = names.get(id);
    return name === undefined ? token : `@${name}`;
  });
}

/** @type {Record<string, string>} */
const UNESCAPE = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The body as the words a reader sees, without its Markdown (a one-line preview): rendered,
 * then its tags dropped (a block's as a space, so blocks do not run together) and its text
 * unescaped.
 * The result is plain text, to be escaped wherever it is shown.
 * @param {string} body
 * @param {RenderOptions} [opts]
 */
export function markdownText(body, opts = {}) {
  return renderMarkdown(body, opts)
    .replace(/<\/?(?:p|pre|blockquote|ul|ol|li)\b[^>]*>/g, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => UNESCAPE[e] ?? e)
    .replace(/\s+/g, ' ')
    .trim();
}

/** At most 120 characters of a line, as replies quote it. @param {string} line */
export function quoteCut(line) {
  const chars = [...line];
  return chars.length > 120 ? `${chars.slice(0, 119).join('')}…` : line;
}

/**
 * A reply's quote of a message: the first line of its text as rendered, which is what a page's
 * `textContent` of the message gives (public/js/chat/edit.js quotes shown messages that way), so
 * a quote reads the same live and after a reload, without Markdown.
 * @param {string} body
 * @param {RenderOptions} [opts]
 */
export function quoteLine(body, opts = {}) {
  const text = renderMarkdown(body, opts)
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => UNESCAPE[e] ?? e);
  return quoteCut(text.split('\n', 1)[0] ?? '');
}
