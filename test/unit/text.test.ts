import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInput } from '../../src/plugins/validate.js';
import { freeTextSchema, illFormedPath, isBlank } from '../../src/util/text.js';
import { z } from 'zod';

test('strings that are not well-formed Unicode are found anywhere in an input, keys included', () => {
  assert.equal(illFormedPath({ a: 'ok', b: ['😀', { c: 'x' }] }), undefined);
  assert.deepEqual(illFormedPath({ a: 'ok', b: ['fine', { c: '\uD800x' }] }), ['b', '1', 'c']);
  assert.deepEqual(illFormedPath('\uDC00'), []);
  assert.deepEqual(illFormedPath({ 'k\uD800': 1 }), ['k\uFFFD']);
});

test('every parsed input refuses lone surrogates, whatever its schema says', () => {
  const anything = z.object({ name: z.string() });
  assert.deepEqual(parseInput(anything, { name: 'x😀' }), { name: 'x😀' });
  assert.throws(() => parseInput(anything, { name: '\uD800x' }), /name: must be well-formed Unicode text/);
  assert.throws(() => parseInput(anything, { name: 'x', extra: ['\uDFFF'] }), /extra\.0: must be well-formed/);
});

test('blank text: nothing a reader could see', () => {
  for (const blank of ['', ' \n', '\u200B\u200C\u200D\u2060\uFEFF', '\u3164', '\u2800', '\u00AD', '\u034F\u180E']) assert.equal(isBlank(blank), true, JSON.stringify(blank));
  for (const seen of ['a', '.', '😀', '\u200Bx', '张']) assert.equal(isBlank(seen), false, seen);
});

test('free text (descriptions, reasons): visible, without control characters or bidi overrides', () => {
  const text = freeTextSchema(500);
  for (const ok of ['', '  ', 'line one\nline two', 'מה קורה \u200F?', 'spam 😀𝕏']) assert.equal(text.safeParse(ok).success, true, JSON.stringify(ok));
  for (const bad of ['\u200b\u200c', 'bell\u0007', 'file\u202Etxt.exe', 'x\u2066y']) assert.equal(text.safeParse(bad).success, false, JSON.stringify(bad));
  assert.equal(text.parse(' 😀𝕏 '), '😀𝕏', 'kept as typed');
});
