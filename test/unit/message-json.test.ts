import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storedAuthor, storedNameIs } from '../../src/live/message-json.js';

const stored = (name: string, body = 'hi', userId = 42) =>
  Buffer.from(`{"id":7${JSON.stringify({ ts: 1700000000000, user: { id: userId, name }, body, clientId: 'c1' }).replace(/^\{/, ',')}`);
const literal = (name: string) => Buffer.from(JSON.stringify(name));

test('storedAuthor finds the author id and the stored name, whatever the body says', () => {
  const json = stored('Ann', 'fake "user":{"id":9,"name":"Eve"}');
  const author = storedAuthor(json);
  assert.equal(author?.id, 42);
  assert.ok(storedNameIs(json, author!.nameAt, literal('Ann')));
  assert.equal(storedAuthor(Buffer.from('{"id":1,"ts":2,"body":"no author"}')), null);
  assert.equal(storedAuthor(Buffer.from('{"id":1,"user":{"id":,"name":"x"}}')), null);
});

test('storedNameIs matches only the same literal: not a prefix, not a longer name, escapes included', () => {
  const cases: Array<[stored: string, current: string, same: boolean]> = [
    ['Ann', 'Ann', true],
    ['Ann', 'An', false],
    ['An', 'Ann', false],
    ['a"b', 'a"b', true],
    ['a"b', 'a', false],
    ['a\\', 'a\\', true],
    ['a\\', 'a', false],
    ['小明 👋', '小明 👋', true],
    ['小明 👋', '小明', false],
    ['Ann', 'deleted user', false],
  ];
  for (const [name, current, same] of cases) {
    const json = stored(name);
    assert.equal(storedNameIs(json, storedAuthor(json)!.nameAt, literal(current)), same, `${name} vs ${current}`);
  }
});
