import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameKey, usernameSchema } from '../../src/modules/users/names.js';

test('usernames: letters of any script, but no lookalike mixing, no invisible characters', () => {
  for (const ok of ['alice', '小明', '小明abc', 'Müller', 'Дмитрий', 'σοφία', 'user.name-1', '김민수']) {
    assert.equal(usernameSchema.safeParse(ok).success, true, ok);
  }
  for (const bad of ['pаypal' /* Cyrillic а */, 'аdmin', 'ΑBC' /* Greek Alpha + Latin */, 'a', 'x'.repeat(33), 'has space', 'zero\u200bwidth', 'rtl\u202eoverride', 'tab\tname', 'emoji😀']) {
    assert.equal(usernameSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('name keys are case-insensitive after NFKC', () => {
  assert.equal(nameKey('ＡＤＭＩＮ'), nameKey('admin'));
  assert.equal(nameKey(' Alice '), 'alice');
});
