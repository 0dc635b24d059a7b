import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMessageHtml } from '../../src/modules/messages/message-html.js';
import type { ChatMessage } from '../../src/shared/protocol.js';

const msg = (over: Partial<ChatMessage> = {}): ChatMessage => ({ room: 1, id: 1, ts: 1000, user: { id: 7, name: 'ann' }, body: 'hi', clientId: 'c', ...over });

describe('message HTML kept per message', () => {
  test('renders each message once per language and role, again when what it shows changed', () => {
    let renders = 0;
    const html = createMessageHtml((m, v) => `<li>${++renders}:${m.user.name}:${m.body}:${v.locale}:${v.canModerate}</li>`);
    const view = { locale: 'en', canModerate: false };
    assert.equal(html.list([msg(), msg({ id: 2 })], view), '<li>1:ann:hi:en:false</li><li>2:ann:hi:en:false</li>');
    assert.equal(html.list([msg(), msg({ id: 2 })], view), '<li>1:ann:hi:en:false</li><li>2:ann:hi:en:false</li>');
    assert.equal(renders, 2);
    assert.equal(html.list([msg()], { locale: 'zh-CN', canModerate: false }), '<li>3:ann:hi:zh-CN:false</li>');
    assert.equal(html.list([msg()], { locale: 'en', canModerate: true }), '<li>4:ann:hi:en:true</li>');
    // The author's account was deleted; the room id was reused for a new room with new messages.
    assert.equal(html.list([msg({ user: { id: 7, name: 'deleted user' } })], view), '<li>5:deleted user:hi:en:false</li>');
    assert.equal(html.list([msg({ body: 'another room' })], view), '<li>6:ann:another room:en:false</li>');
  });

  test('renders again when the message was edited or the original it quotes changed', () => {
    let renders = 0;
    const html = createMessageHtml((m) => `<li>${++renders}:${m.body}:${m.editedAt ?? '-'}:${m.quote === undefined ? '' : (m.quote?.text ?? 'gone')}</li>`);
    const view = { locale: 'en', canModerate: false };
    const reply = msg({ id: 2, replyTo: 1 });
    assert.equal(html.list([{ ...reply, quote: { id: 1, name: 'ann', text: 'first' } }], view), '<li>1:hi:-:first</li>');
    assert.equal(html.list([{ ...reply, quote: { id: 1, name: 'ann', text: 'first' } }], view), '<li>1:hi:-:first</li>');
    assert.equal(html.list([{ ...reply, quote: { id: 1, name: 'ann', text: 'first, edited' } }], view), '<li>2:hi:-:first, edited</li>');
    assert.equal(html.list([{ ...reply, quote: null }], view), '<li>3:hi:-:gone</li>');
    // Edited to the same body again (a revert): the edit time alone tells it apart.
    assert.equal(html.list([msg({ id: 3 })], view), '<li>4:hi:-:</li>');
    assert.equal(html.list([msg({ id: 3, editedAt: 5000 })], view), '<li>5:hi:5000:</li>');
    assert.equal(html.list([msg({ id: 3, editedAt: 5000 })], view), '<li>5:hi:5000:</li>');
  });

  test('renders again when a mentioned user has a new name', () => {
    let renders = 0;
    const html = createMessageHtml((m) => `<li>${++renders}:${m.mentions?.[0]?.name}</li>`);
    const view = { locale: 'en', canModerate: false };
    const mentioning = (name: string) => msg({ body: 'hi <@8>', mentions: [{ id: 8, name }] });
    assert.equal(html.list([mentioning('bo')], view), '<li>1:bo</li>');
    assert.equal(html.list([mentioning('bo')], view), '<li>1:bo</li>');
    assert.equal(html.list([mentioning('Bo Renamed')], view), '<li>2:Bo Renamed</li>');
  });

  test('keeps at most its limit', () => {
    const html = createMessageHtml((m) => `<li>${m.id}</li>`, 3);
    html.list([1, 2, 3, 4, 5].map((id) => msg({ id })), { locale: 'en', canModerate: false });
    assert.equal(html.size, 3);
  });
});
