import fc from 'fast-check';

/** Inputs for the message renderer (public/js/shared/markdown.js): its unit tests and the browser's equality test. */
export const A = 'rel="noopener noreferrer nofollow ugc" target="_blank"';

/** Input → expected HTML: the subset, and what stays text. Also run in the browser (test/browser/markdown.test.ts). */
export const CORPUS: Array<[string, string]> = [
  ['plain', '<p>plain</p>'],
  ['**bold** *it* _it_ ~~gone~~ `x < y`', '<p><strong>bold</strong> <em>it</em> <em>it</em> <del>gone</del> <code>x &lt; y</code></p>'],
  ['snake_case_name and 2*3*4', '<p>snake_case_name and 2<em>3</em>4</p>'],
  ['***both***', '<p><strong><em>both</em></strong></p>'],
  ['** not bold ** and * not it *', '<p>** not bold ** and * not it *</p>'],
  ['unclosed **bold and `tick', '<p>unclosed **bold and `tick</p>'],
  ['`**not bold** <b>`', '<p><code>**not bold** &lt;b&gt;</code></p>'],
  ['<b>x</b> & <script>alert(1)</script>', '<p>&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>'],
  ['![img](http://x/y.png)', `<p>![img](<a href="http://x/y.png" ${A}>http://x/y.png</a>)</p>`],
  ['[t](javascript:alert(1)) data:text/html,<x>', '<p>[t](javascript:alert(1)) data:text/html,&lt;x&gt;</p>'],
  ['see https://example.org/a?b=1&c=2, ok', `<p>see <a href="https://example.org/a?b=1&amp;c=2" ${A}>https://example.org/a?b=1&amp;c=2</a>, ok</p>`],
  ['(http://a.b/c).', `<p>(<a href="http://a.b/c" ${A}>http://a.b/c</a>).</p>`],
  ['http://x/"onmouseover="alert(1)', `<p><a href="http://x/" ${A}>http://x/</a>&quot;onmouseover=&quot;alert(1)</p>`],
  ['visit www.example.com.', `<p>visit <a href="https://www.example.com" ${A}>www.example.com</a>.</p>`],
  ['**https://x.org/a_b**', `<p><strong><a href="https://x.org/a_b" ${A}>https://x.org/a_b</a></strong></p>`],
  ['http:// and www. alone', '<p>http:// and www. alone</p>'],
  ["it's", '<p>it&#39;s</p>'],
  ['line one\nline two\n\nnext paragraph', '<p>line one\nline two</p><p>next paragraph</p>'],
  ['```\n<div>\n  indented **no**\n```\nafter', '<pre tabindex="0"><code>&lt;div&gt;\n  indented **no**</code></pre><p>after</p>'],
  ['```js\nunclosed fence', '<pre tabindex="0"><code>unclosed fence</code></pre>'],
  ['> quoted *it*\n> more\nnot quoted', '<blockquote><p>quoted <em>it</em>\nmore</p></blockquote><p>not quoted</p>'],
  ['- one\n- **two**\n* three', '<ul><li>one</li><li><strong>two</strong></li><li>three</li></ul>'],
  ['1. first\n2) second', '<ol><li>first</li><li>second</li></ol>'],
  ['3. from three', '<ol start="3"><li>from three</li></ol>'],
  ['-not a list\n**bold** line', '<p>-not a list\n<strong>bold</strong> line</p>'],
  ['**a\nb**', '<p><strong>a\nb</strong></p>'],
  ['hi <@7> and <@8>', '<p>hi <span class="mention" data-user="7">@Ann&lt;&gt;</span> and &lt;@8&gt;</p>'],
  ['@here now, not@here', '<p>@here now, not@here</p>'],
  ['', ''],
];

/** Text pieces that exercise the syntax: markers, fences, links, mentions, and anything else. */
const piece = fc.oneof(
  fc.constantFrom('*', '**', '_', '~~', '`', '```', '\n', '\n\n', '> ', '- ', '1. ', ' ', 'http://', 'https://a.b/', 'www.', '<@7>', '<@9>', '@here', '<', '>', '&', '"', "'", '(', ')', '.'),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
export const markdownInput = fc.array(piece, { maxLength: 60 }).map((a) => a.join(''));

