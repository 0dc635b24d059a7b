import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameKey, nameSchema, usernameSchema } from '../../src/modules/users/names.js';
import { isProtectedName, nameSkeletons } from '../../src/modules/users/skeleton.js';

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

const roomName = nameSchema(1, 64);
const accepts = (schema: typeof roomName, s: string) => schema.safeParse(s).success;

test('names refuse default-ignorable and other invisible characters, found by Unicode property', () => {
  // Hangul fillers render as nothing, so "admin\u3164" shows as "admin"; soft hyphen, CGJ,
  // variation selector on a letter, tag characters, blank Braille, bidi marks.
  for (const bad of ['admin\u3164', 'admin\uFFA0', '\u115Fadmin', 'ad\u00ADmin', 'ad\u034Fmin', 'a\uFE0Fdmin', 'admin\u{E0061}', 'admin\u2800', 'ad\u200Emin']) {
    assert.equal(accepts(usernameSchema, bad), false, JSON.stringify(bad));
    assert.equal(accepts(roomName, bad), false, JSON.stringify(bad));
  }
  assert.equal(accepts(roomName, 'general\u3164'), false);
  // Emoji keep the joiners and selectors they are built with.
  for (const ok of ['❤️ room', '👩‍💻 devs', '1️⃣ first', '👍🏽 votes']) assert.equal(accepts(roomName, ok), true, ok);
});

test('names keep what was typed: NFC only, so 😀𝕏 stays 😀𝕏', () => {
  assert.equal(roomName.parse(' 😀𝕏 room '), '😀𝕏 room');
  assert.equal(roomName.parse('ＦＵＬＬ'), 'ＦＵＬＬ');
  assert.equal(roomName.parse('Cafe\u0301'), 'Café', 'one canonical encoding of the same text');
});

test('every script in everyday use is accepted; limited-use scripts and mixed-alphabet words are not', () => {
  for (const ok of ['张三', '王小明', '田中太郎', 'たなか', '김민준', 'Иван', 'σοφία', 'राहुल', 'محمد', 'José']) {
    assert.equal(accepts(usernameSchema, ok), true, ok);
  }
  for (const ok of ['Ivan Иванов', 'Клуб English', '中文 chat']) assert.equal(accepts(roomName, ok), true, ok);
  assert.equal(accepts(usernameSchema, 'ᎪᎠᎷᏆᏁ'), false, 'Cherokee, a limited-use script whose letters pass for Latin');
  for (const bad of ['gеneral' /* Cyrillic е */, 'Аdmin', 'Ivan Иvanov']) assert.equal(accepts(roomName, bad), false, bad);
});

/** Two names look alike when they share a skeleton. */
const alike = (a: string, b: string) => nameSkeletons(a).some((k) => nameSkeletons(b).includes(k));

test('UTS #39 skeletons, compared case-folded, make lookalikes one name', () => {
  for (const name of ['admin', 'ADMIN', 'Admin', 'ᴀdmin', 'admın', 'admín', 'аԁміп', 'Аdmin', 'ａｄｍｉｎ', 'adrnin']) {
    assert.ok(alike(name, 'admin'), name);
  }
  assert.ok(alike('aIice', 'alice'), 'a capital I passes for l');
  assert.ok(alike('İadmin', 'iadmin'));
  assert.ok(alike('gеneral', 'General'));
  assert.ok(alike('😀𝕏 room', '😀X room'));
  assert.ok(alike('Straße', 'STRASSE'));
  for (const [a, b] of [['张三', '张四'], ['Иван', 'Ivan'], ['alice', 'alicia'], ['かがみ', 'かかみ'], ['ivan', 'lvan']]) {
    assert.ok(!alike(a!, b!), `${a} / ${b}`);
  }
  assert.ok(nameSkeletons('ﷺ'.repeat(64)).every((k) => k.length <= 255), 'long keys still fit the column');
});

test('reserved names cannot be imitated', () => {
  for (const name of ['admin', 'Аdmin', 'ᴀdmin', 'Administrator', 'r00t', 'Deleted User']) assert.equal(isProtectedName(name), true, name);
  for (const name of ['alice', 'adminton', '张三']) assert.equal(isProtectedName(name), false, name);
});
