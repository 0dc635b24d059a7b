import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { markdownText, mentionSource, renderMarkdown, trimTrailing } from '../../public/js/shared/markdown.js';
import { A, CORPUS, markdownInput } from '../support/markdown-corpus.js';

test('the corpus renders as expected', () => {
  for (const [src, html] of CORPUS) assert.equal(renderMarkdown(src, { mentions: [{ id: 7, name: 'Ann<>' }] }), html, src);
});

test('mentions: only resolved ones show, @here only when allowed', () => {
  const opts = { mentions: [{ id: 7, name: 'Ann' }] };
  assert.equal(renderMarkdown('<@7>', opts), '<p><span class="mention" data-user="7">@Ann</span></p>');
  assert.equal(renderMarkdown('<@7>'), '<p>&lt;@7&gt;</p>');
  assert.equal(renderMarkdown('@here hi', { here: true }), '<p><span class="mention here">@here</span> hi</p>');
  assert.equal(renderMarkdown('`<@7>`', opts), '<p><code>&lt;@7&gt;</code></p>');
});

test('mentionSource gives back @name for editing, the token where a name is not one word', () => {
  assert.equal(mentionSource('hi <@7> <@8> <@9>', [{ id: 7, name: 'ann' }, { id: 8, name: 'Bob Smith' }]), 'hi @ann <@8> <@9>');
});

const TAG = /<(\/?)([a-z]+)((?: [a-z-]+="[^"<>]*")*)>/g;
const ALLOWED = new Set(['p', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span']);

/** The HTML is well formed (tags nest, only ours, with our attributes), text has no raw < or > and only entity &s. */
function assertWellFormed(html: string) {
  const stack: string[] = [];
  let last = 0;
  const text: string[] = [];
  for (const m of html.matchAll(TAG)) {
    text.push(html.slice(last, m.index));
    last = m.index + m[0].length;
    const [, close, name, attrs] = m as unknown as [string, string, string, string];
    assert.ok(ALLOWED.has(name), `tag ${name}`);
    if (close) assert.equal(stack.pop(), name, `closing ${name} in ${html}`);
    else {
      stack.push(name);
      if (name === 'a') assert.match(attrs, new RegExp(`^ href="https?://[^"]*" ${A}$`));
      else if (name === 'span') assert.match(attrs, /^ class="mention" data-user="\d+"$|^ class="mention here"$/);
      else if (name === 'ol') assert.match(attrs, /^(?: start="\d+")?$/);
      else if (name === 'pre') assert.equal(attrs, ' tabindex="0"');
      else assert.equal(attrs, '');
    }
  }
  text.push(html.slice(last));
  assert.deepEqual(stack, [], `unclosed in ${html}`);
  for (const t of text) {
    assert.doesNotMatch(t, /[<>"']/, html);
    assert.doesNotMatch(t, /&(?!(?:amp|lt|gt|quot|#39);)/, html);
  }
}

test('any input renders to well-formed, escaped HTML of our own tags only', () => {
  fc.assert(
    fc.property(markdownInput, fc.boolean(), (src, here) => {
      const html = renderMarkdown(src, { mentions: [{ id: 7, name: '<A&"\'>' }], here });
      assertWellFormed(html);
    }),
    { numRuns: 5000 },
  );
});

test('the text survives: without markup the rendered text is the source', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z ,.!?]{1,80}$/), (src) => {
      const html = renderMarkdown(src);
      assert.equal(html.replace(/<[^>]*>/g, ''), src.trim() === '' ? '' : src);
      assertWellFormed(html);
    }),
  );
});

/** The function called with `arg` in a worker, stopped when the test ends (a quadratic run takes minutes). */
function inWorker(arg: string, signal: AbortSignal): Promise<string> {
  const worker = new Worker(new URL('../support/call-in-worker.mjs', import.meta.url), {
    workerData: { module: new URL('../../public/js/shared/markdown.js', import.meta.url).href, name: 'renderMarkdown', arg },
  });
  signal.addEventListener('abort', () => void worker.terminate());
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

const N = 200_000;
/** Inputs that make a naive parser rescan: unclosed openers, unmatched ticks, dotted links, long lists. */
const HOSTILE: Record<string, string> = {
  'unclosed openers': '*a _b ~~c **d '.repeat(N / 14),
  'one closer after many openers of other kinds': `${'*a _b '.repeat(N / 6)}~~x~~`,
  'unmatched backticks': '` a '.repeat(N / 4),
  'a link of dots': `http://a${'.'.repeat(N)}x.) end`,
  'links of punctuation': 'http://.,;:!?'.repeat(N / 13),
  'mention-like tokens': '<@1<@12<@'.repeat(N / 9),
  'quote and list lines': '> a\n- b\n1. c\n'.repeat(N / 13),
  'a fence never closed': `\`\`\`\n${'x\n'.repeat(N / 2)}`,
  'underscores in words': 'a_'.repeat(N / 2),
};

test('hostile inputs render in linear time', { timeout: 60_000 }, async (t) => {
  for (const [name, src] of Object.entries(HOSTILE)) {
    const html = await inWorker(src, t.signal);
    assert.ok(html.length >= src.length / 2, name);
  }
  assert.equal(trimTrailing(`http://a${'.'.repeat(N)}`), 'http://a');
});

test('markdownText is what a reader sees, without Markdown or tags (room list previews)', () => {
  const mentions = [{ id: 8, name: 'Bo Li' }];
  assert.equal(markdownText('hi <@8> the **release notes**, _briefly_:\n- ~~old~~ `a<b`\n```\ncode & more\n```', { mentions }), 'hi @Bo Li the release notes, briefly: old a<b code & more');
  assert.equal(markdownText('<script>alert("x")</script>'), '<script>alert("x")</script>', 'text stays text (escaped where shown)');
  fc.assert(
    fc.property(markdownInput, (body) => {
      const text = markdownText(body);
      assert.ok(!/\s{2}/.test(text) && text === text.trim());
    }),
    { numRuns: 500 },
  );
});
