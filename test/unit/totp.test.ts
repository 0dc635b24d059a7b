import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSecretBox } from '../../src/modules/auth/two-factor/secret-box.js';
import { base32Decode, base32Encode, hotp, matchStep, newSecret, otpauthUri, timeStep } from '../../src/modules/auth/two-factor/totp.js';

describe('TOTP (RFC 6238) and HOTP (RFC 4226)', () => {
  test('RFC 4226 appendix D: HOTP of counters 0 to 9', () => {
    const key = Buffer.from('12345678901234567890');
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    assert.deepEqual(expected.map((_, i) => hotp(key, i)), expected);
  });

  test('RFC 6238 appendix B: 8-digit codes for SHA-1, SHA-256, SHA-512', () => {
    const keys = {
      sha1: Buffer.from('12345678901234567890'),
      sha256: Buffer.from('12345678901234567890123456789012'),
      sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
    };
    const vectors: Array<[number, string, string, string]> = [
      [59, '94287082', '46119246', '90693936'],
      [1111111109, '07081804', '68084774', '25091201'],
      [1111111111, '14050471', '67062674', '99943326'],
      [1234567890, '89005924', '91819424', '93441116'],
      [2000000000, '69279037', '90698825', '38618901'],
      [20000000000, '65353130', '77737706', '47863826'],
    ];
    for (const [seconds, sha1, sha256, sha512] of vectors) {
      const step = timeStep(seconds * 1000);
      assert.equal(hotp(keys.sha1, step, 8, 'sha1'), sha1, `sha1 at ${seconds}`);
      assert.equal(hotp(keys.sha256, step, 8, 'sha256'), sha256, `sha256 at ${seconds}`);
      assert.equal(hotp(keys.sha512, step, 8, 'sha512'), sha512, `sha512 at ${seconds}`);
    }
  });

  test('a code matches its step and one either side, nothing further or malformed', () => {
    const secret = base32Encode(Buffer.from('12345678901234567890'));
    assert.equal(secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    const at = 1111111111_000;
    const step = timeStep(at);
    const key = base32Decode(secret);
    assert.equal(matchStep(secret, hotp(key, step), at), step);
    assert.equal(matchStep(secret, hotp(key, step - 1), at), step - 1);
    assert.equal(matchStep(secret, hotp(key, step + 1), at), step + 1);
    assert.equal(matchStep(secret, hotp(key, step + 2), at), undefined);
    assert.equal(matchStep(secret, hotp(key, step - 2), at), undefined);
    assert.equal(matchStep(secret, '12345', at), undefined);
    assert.equal(matchStep(secret, '１２３４５６', at), undefined);
  });

  test('base32 round-trips; a new secret is 160 bits; the URI names issuer and account', () => {
    for (let n = 0; n < 25; n++) {
      const b = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 255));
      assert.deepEqual(base32Decode(base32Encode(b)), b);
    }
    const s = newSecret();
    assert.match(s, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(s).length, 20);
    assert.throws(() => base32Decode('0189'));
    const uri = new URL(otpauthUri('chat.example.org', 'mei', s));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/chat.example.org:mei');
    assert.equal(uri.searchParams.get('secret'), s);
    assert.equal(uri.searchParams.get('issuer'), 'chat.example.org');
  });
});

describe('secret box (AES-256-GCM)', () => {
  test('opens what it sealed, only with the same key and context; each seal differs', () => {
    const box = createSecretBox('k'.repeat(40));
    const a = box.seal('GEZDGNBVGY3TQOJQ', 'totp:1');
    assert.notEqual(a, box.seal('GEZDGNBVGY3TQOJQ', 'totp:1'));
    assert.ok(!a.includes('GEZDGNBVGY3TQOJQ'));
    assert.equal(box.open(a, 'totp:1'), 'GEZDGNBVGY3TQOJQ');
    assert.throws(() => box.open(a, 'totp:2'), 'bound to its row');
    assert.throws(() => createSecretBox('j'.repeat(40)).open(a, 'totp:1'), 'another key');
    const tampered = a.slice(0, -2) + (a.endsWith('A') ? 'BB' : 'AA');
    assert.throws(() => box.open(tampered, 'totp:1'));
  });
});
