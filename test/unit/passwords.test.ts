import assert from 'node:assert/strict';
import { test } from 'node:test';
import argon2 from 'argon2';
import { createPasswordHasher } from '../../src/modules/auth/passwords.js';

test('argon2id at the OWASP parameters; verify is exact', async () => {
  const h = createPasswordHasher({ maxConcurrent: 2 });
  const hash = await h.hash('correct horse battery staple');
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  assert.equal(await h.verify(hash, 'correct horse battery staple'), true);
  assert.equal(await h.verify(hash, 'correct horse battery staple '), false, 'no trimming');
  assert.equal(await h.verify(undefined, 'anything'), false, 'unknown user: checked against a dummy hash, never true');
  assert.equal(await h.verify('not a hash', 'anything'), false);
});

test('older or weaker hashes are flagged for rehashing', async () => {
  const h = createPasswordHasher({ maxConcurrent: 2 });
  const weak = await argon2.hash('pw-pw-pw-pw', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
  assert.equal(h.needsRehash(weak), true);
  assert.equal(h.needsRehash(await h.hash('pw-pw-pw-pw')), false);
});

test('no more than maxConcurrent hashes run at once; the rest wait their turn', async () => {
  const h = createPasswordHasher({ maxConcurrent: 2 });
  let peak = 0;
  let sawQueue = false;
  const watch = setInterval(() => {
    const l = h.load();
    peak = Math.max(peak, l.running);
    sawQueue ||= l.waiting > 0;
  }, 1);
  await Promise.all(Array.from({ length: 8 }, (_, i) => h.hash(`password-${i}`)));
  clearInterval(watch);
  assert.equal(peak, 2);
  assert.ok(sawQueue);
  assert.deepEqual(h.load(), { running: 0, waiting: 0 });
});
