import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { Signer } from '@fastify/cookie';
import fc from 'fast-check';
import { createSessionSigner } from '../../src/plugins/session-signer.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const OLD_SECRET = 'the-previous-secret-of-at-least-32-characters';

/** Counts HMACs made while `fn` runs (the cookie signer calls node:crypto's createHmac). */
function hmacsDuring(fn: () => void): number {
  const original = crypto.createHmac;
  let calls = 0;
  crypto.createHmac = ((...args: Parameters<typeof original>) => {
    calls++;
    return original(...args);
  }) as typeof original;
  try {
    fn();
  } finally {
    crypto.createHmac = original;
  }
  return calls;
}

test('a known session id is signed and checked without an HMAC', () => {
  const signer = createSessionSigner(SECRET);
  let cookie = '';
  assert.equal(hmacsDuring(() => (cookie = signer.sign('id-one'))), 1);
  assert.equal(cookie, new Signer(SECRET).sign('id-one'));
  assert.equal(
    hmacsDuring(() => {
      assert.deepEqual(signer.unsign(cookie), { valid: true, renew: false, value: 'id-one' });
      assert.equal(signer.sign('id-one'), cookie);
    }),
    0,
  );
  // A cookie first seen on unsign (signed by another instance) is remembered as well.
  const other = new Signer(SECRET).sign('id-two');
  assert.equal(hmacsDuring(() => signer.unsign(other)), 1);
  assert.equal(hmacsDuring(() => signer.unsign(other)), 0);
});

test('a secret shorter than 32 characters is refused, as @fastify/session refuses it', () => {
  assert.throws(() => createSessionSigner('too-short'), /32 characters/);
  assert.throws(() => createSessionSigner([SECRET, 'too-short']), /32 characters/);
});

test('a forged signature is refused even for a known id', () => {
  const signer = createSessionSigner(SECRET);
  const cookie = signer.sign('victim');
  const sig = cookie.slice(cookie.lastIndexOf('.') + 1);
  const flipped = `victim.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
  for (const forged of [flipped, 'victim.', 'victim', `victim.${sig}x`, `victim.${new Signer(OLD_SECRET).sign('victim').split('.')[1]}`]) {
    assert.deepEqual(signer.unsign(forged), { valid: false, renew: false, value: null }, forged);
  }
  assert.equal(signer.unsign(cookie).valid, true);
});

test('a cookie signed by an older secret stays valid, asks for renewal, and is not remembered', () => {
  const signer = createSessionSigner([SECRET, OLD_SECRET]);
  const old = new Signer(OLD_SECRET).sign('rotated');
  for (let i = 0; i < 2; i++) assert.deepEqual(signer.unsign(old), { valid: true, renew: true, value: 'rotated' });
  assert.equal(signer.size, 0);
  // Renewing signs it under the new secret, which is then known.
  const renewed = signer.sign('rotated');
  assert.equal(renewed, new Signer(SECRET).sign('rotated'));
  assert.equal(hmacsDuring(() => assert.deepEqual(signer.unsign(renewed), { valid: true, renew: false, value: 'rotated' })), 0);
});

test('it remembers a bounded number of ids, forgetting the oldest', () => {
  const signer = createSessionSigner(SECRET, 3);
  const cookies = ['a', 'b', 'c', 'd', 'e'].map((id) => signer.sign(id));
  assert.equal(signer.size, 3);
  assert.equal(hmacsDuring(() => signer.unsign(cookies[4]!)), 0);
  // Forgotten, so checked again by HMAC: still valid.
  assert.equal(hmacsDuring(() => assert.equal(signer.unsign(cookies[0]!).valid, true)), 1);
});

test('it answers exactly as the plain signer does, whatever it has remembered', () => {
  const plain = new Signer([SECRET, OLD_SECRET]);
  const old = new Signer(OLD_SECRET);
  const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
  const op = fc.oneof(
    fc.record({ kind: fc.constant('sign' as const), id }),
    fc.record({ kind: fc.constant('valid' as const), id }),
    fc.record({ kind: fc.constant('old' as const), id }),
    fc.record({ kind: fc.constant('tampered' as const), id, at: fc.nat() }),
    fc.record({ kind: fc.constant('raw' as const), cookie: fc.string({ maxLength: 60 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (ops, max) => {
      const signer = createSessionSigner([SECRET, OLD_SECRET], max);
      for (const o of ops) {
        if (o.kind === 'sign') {
          assert.equal(signer.sign(o.id), plain.sign(o.id));
          continue;
        }
        let cookie: string;
        if (o.kind === 'valid') cookie = plain.sign(o.id);
        else if (o.kind === 'old') cookie = old.sign(o.id);
        else if (o.kind === 'raw') cookie = o.cookie;
        else {
          const good = plain.sign(o.id);
          const i = o.at % good.length;
          cookie = good.slice(0, i) + (good[i] === 'x' ? 'y' : 'x') + good.slice(i + 1);
        }
        assert.deepEqual(signer.unsign(cookie), plain.unsign(cookie), cookie);
        assert.ok(signer.size <= max);
      }
    }),
    { numRuns: 300 },
  );
});
