import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkifyToHtml } from '../../src/plugins/linkify.js';

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
