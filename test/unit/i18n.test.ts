import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from '../../src/i18n/en.js';
import { negotiateLocale, translator } from '../../src/i18n/index.js';
import { zhCN } from '../../src/i18n/zh-CN.js';

test('Accept-Language picks the best supported language by weight', () => {
  assert.equal(negotiateLocale(undefined, undefined), 'en');
  assert.equal(negotiateLocale(undefined, 'zh-CN,zh;q=0.9'), 'zh-CN');
  assert.equal(negotiateLocale(undefined, 'zh-TW'), 'zh-CN');
  assert.equal(negotiateLocale(undefined, 'fr-FR, en;q=0.5, zh;q=0.8'), 'zh-CN');
  assert.equal(negotiateLocale(undefined, 'de, fr'), 'en');
  assert.equal(negotiateLocale(undefined, 'zh;q=0, en'), 'en');
});

test('a chosen language (cookie) overrides the header; junk cookies are ignored', () => {
  assert.equal(negotiateLocale('zh-CN', 'en'), 'zh-CN');
  assert.equal(negotiateLocale('<script>', 'zh'), 'zh-CN');
});

test('every English string has a Chinese translation, and parameters are filled', () => {
  assert.deepEqual(Object.keys(zhCN).sort(), Object.keys(en).sort());
  assert.equal(translator('en')('nav.signedInAs', { name: 'bob' }), 'Signed in as bob');
  assert.equal(translator('zh-CN')('nav.signedInAs', { name: '小明' }), '当前用户：小明');
});
