import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFrame } from '../../src/realtime/frames.js';

test('valid frames parse, bodies are trimmed', () => {
  assert.deepEqual(parseFrame('{"type":"join","room":3,"since":0}'), { ok: true, frame: { type: 'join', room: 3, since: 0 } });
  assert.deepEqual(parseFrame('{"type":"send","room":3,"clientId":"a-1","body":" hi "}'), {
    ok: true,
    frame: { type: 'send', room: 3, clientId: 'a-1', body: 'hi' },
  });
  assert.deepEqual(parseFrame('{"type":"leave","room":3}'), { ok: true, frame: { type: 'leave', room: 3 } });
});

test('anything else is refused with a reason', () => {
  const refused = [
    '',
    'null',
    '"join"',
    '{"type":"join"}',
    '{"type":"join","room":0}',
    '{"type":"join","room":1.5}',
    '{"type":"join","room":"1"}',
    '{"type":"join","room":1,"since":-1}',
    '{"type":"join","room":1,"admin":true}',
    '{"type":"send","room":1,"clientId":"","body":"x"}',
    '{"type":"send","room":1,"clientId":"x".repeat(65),"body":"x"}',
    '{"type":"send","room":1,"clientId":"a","body":{"toString":"x"}}',
    '{"type":"leave","room":[1]}',
    '{"type":"constructor","room":1}',
  ];
  for (const raw of refused) {
    const r = parseFrame(raw);
    assert.equal(r.ok, false, raw);
    if (!r.ok) assert.ok(r.message.length > 0);
  }
});

test('body length is counted in characters after trimming: 2000 pass, 2001 are too_long', () => {
  const frame = (body: string) => JSON.stringify({ type: 'send', room: 1, clientId: 'c', body });
  assert.equal(parseFrame(frame(' ' + '😀'.repeat(2000) + '\n')).ok, true);
  const long = parseFrame(frame('a'.repeat(2001)));
  assert.deepEqual(long.ok ? null : [long.code, long.clientId], ['too_long', 'c']);
  const empty = parseFrame(frame(' \n\t '));
  assert.deepEqual(empty.ok ? null : [empty.code, empty.clientId], ['invalid', 'c']);
});

test('a body made only of zero-width or other invisible characters is refused like an empty one', () => {
  const frame = (body: string) => JSON.stringify({ type: 'send', room: 1, clientId: 'c', body });
  for (const body of ['\u200b\u200c\u200d\u2060\ufeff', ' \u3164 ', '\u2800\u00ad']) {
    const r = parseFrame(frame(body));
    assert.deepEqual(r.ok ? null : [r.code, r.message, r.clientId], ['invalid', 'Message is empty', 'c'], JSON.stringify(body));
  }
  assert.equal(parseFrame(frame('👩\u200d💻')).ok, true, 'emoji built with a joiner are visible');
});

test('a body with a control character or a bidi override is refused; tabs, line breaks and RTL text are not', () => {
  const frame = (body: string) => JSON.stringify({ type: 'send', room: 1, clientId: 'c', body });
  for (const body of ['hello https://e.com/\u202egro.knab', '\u0000\u001b[31m', 'a\u2066b', 'x\u0085y']) {
    const r = parseFrame(frame(body));
    assert.deepEqual(r.ok ? null : [r.code, r.clientId], ['invalid', 'c'], JSON.stringify(body));
  }
  for (const body of ['line one\nline two\tend\r\n', 'שלום עולם', 'مرحبا\u200f!']) assert.equal(parseFrame(frame(body)).ok, true, JSON.stringify(body));
});

test('lone surrogates are refused in every field of a frame (JSON can escape them)', () => {
  for (const raw of [
    '{"type":"send","room":1,"clientId":"c","body":"\\ud800x"}',
    '{"type":"send","room":1,"clientId":"c","body":"x\\udfff"}',
    '{"type":"send","room":1,"clientId":"\\ud800","body":"x"}',
    '{"type":"join","room":1,"\\ud800":1}',
  ]) {
    const r = parseFrame(raw);
    assert.deepEqual(r.ok ? null : [r.code, /well-formed Unicode/.test(r.message)], ['invalid', true], raw);
  }
  assert.equal(parseFrame('{"type":"send","room":1,"clientId":"c","body":"\\ud83d\\ude00"}').ok, true, 'a pair is one code point');
});

test('edit, delete and replies: ids checked, an edit body by the same rules as a send', () => {
  assert.deepEqual(parseFrame('{"type":"edit","room":3,"id":7,"body":"  fixed "}'), { ok: true, frame: { type: 'edit', room: 3, id: 7, body: 'fixed' } });
  assert.deepEqual(parseFrame('{"type":"delete","room":3,"id":7}'), { ok: true, frame: { type: 'delete', room: 3, id: 7 } });
  assert.deepEqual(parseFrame('{"type":"send","room":3,"clientId":"c","body":"re","replyTo":7}'), {
    ok: true,
    frame: { type: 'send', room: 3, clientId: 'c', body: 're', replyTo: 7 },
  });
  const edit = (body: string) => JSON.stringify({ type: 'edit', room: 3, id: 7, body });
  assert.deepEqual(parseFrame(edit('😀'.repeat(2001))), { ok: false, code: 'too_long', message: 'Messages are at most 2000 characters', key: 'ws.tooLong', params: { max: 2000 }, room: 3, id: 7 });
  assert.deepEqual(parseFrame(edit(' \u200b ')), { ok: false, code: 'invalid', message: 'Message is empty', key: 'ws.empty', room: 3, id: 7 });
  assert.equal(parseFrame(edit('a\u202eb')).ok, false, 'a direction override');
  for (const raw of [
    '{"type":"edit","room":3,"id":0,"body":"x"}',
    '{"type":"edit","room":3,"id":"7","body":"x"}',
    '{"type":"edit","room":3,"body":"x"}',
    '{"type":"edit","room":3,"id":7}',
    '{"type":"edit","room":3,"id":7,"body":"x","clientId":"c"}',
    '{"type":"delete","room":3,"id":1.5}',
    '{"type":"delete","room":3,"id":7,"body":"x"}',
    '{"type":"send","room":3,"clientId":"c","body":"x","replyTo":-1}',
    '{"type":"send","room":3,"clientId":"c","body":"x","replyTo":null}',
    '{"type":"edit","room":3,"id":7,"body":"\\ud800"}',
  ]) {
    assert.equal(parseFrame(raw).ok, false, raw);
  }
});
