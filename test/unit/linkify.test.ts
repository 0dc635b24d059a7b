import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { linkifyToHtml, trimTrailing } from '../../src/plugins/linkify.js';

test('http(s) links become anchors; everything else is escaped text', () => {
  assert.equal(
    linkifyToHtml('see https://example.org/a?b=1&c=2, then <b>x</b>'),
    'see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer" target="_blank">https://example.org/a?b=1&amp;c=2</a>, then &lt;b&gt;x&lt;/b&gt;',
  );
  assert.equal(linkifyToHtml('javascript:alert(1) data:text/html,<x>'), 'javascript:alert(1) data:text/html,&lt;x&gt;');
  assert.equal(linkifyToHtml('(http://a.b/c).'), '(<a href="http://a.b/c" rel="nofollow noopener noreferrer" target="_blank">http://a.b/c</a>).');
  assert.equal(linkifyToHtml('http://x/"onmouseover="alert(1)'), '<a href="http://x/" rel="nofollow noopener noreferrer" target="_blank">http://x/</a>&quot;onmouseover=&quot;alert(1)');
  assert.equal(linkifyToHtml("it's"), 'it&#39;s');
});

/**
 * Trailing punctuation is cut in linear time. With the old /[.,;:!?)\]}'"]+$/ this input took
 * four minutes (each dot of the run restarts the match and scans to the "x"); the run is far
 * longer than a message may be, so only the algorithm, not the length limit, keeps it fast. The
 * work runs in a worker so that the test's own timeout can stop a quadratic version.
 */
const DOTS = 300_000;
const dotted = `http://a${'.'.repeat(DOTS)}x`;

/** The function (see test/support/call-in-worker.mjs) called with `arg` in a worker, stopped when the test ends. */
function inWorker<T>(fn: { module: string; name: string } | { source: string; name: string }, arg: string, signal: AbortSignal): Promise<T> {
  const worker = new Worker(new URL('../support/call-in-worker.mjs', import.meta.url), { workerData: { ...fn, arg } });
  signal.addEventListener('abort', () => void worker.terminate());
  return new Promise((resolve, reject) => {
    worker.once('message', (v: T) => resolve(v));
    worker.once('error', reject);
  });
}

test('a huge run of dots inside a link is linkified in linear time', { timeout: 20_000 }, async (t) => {
  const linkify = { module: new URL('../../src/plugins/linkify.ts', import.meta.url).href, name: 'linkifyToHtml' };
  const html = await inWorker<string>(linkify, `${dotted}.) end`, t.signal);
  assert.ok(html.startsWith(`<a href="${dotted}"`), 'the dots belong to the link, the trailing ".)" does not');
  assert.ok(html.endsWith(`>${dotted}</a>.) end`));
  assert.equal(trimTrailing(`http://a${'.'.repeat(DOTS)}`), 'http://a');
});

test("the browser script's trailing-punctuation cut is the same linear scan", { timeout: 20_000 }, async (t) => {
  // The page script's linkify module runs in the page; its helper is taken from the file itself and run here.
  const source = fs.readFileSync(new URL('../../public/js/chat/linkify.js', import.meta.url), 'utf8');
  const body = source.match(/const TRAILING = [^\n]+\n[\s\S]*?\nfunction trimTrailing\(url\) \{[\s\S]*?\n\}\n/);
  assert.ok(body, 'chat/linkify.js defines TRAILING and trimTrailing(url)');
  const browserTrim = { source: body[0], name: 'trimTrailing' };
  for (const url of ['http://a.b/c).', 'http://x/', "http://y/'\"!?", dotted, `http://a${'.'.repeat(DOTS)}`]) {
    assert.equal(await inWorker<string>(browserTrim, url, t.signal), trimTrailing(url), url.slice(0, 20));
  }
});
