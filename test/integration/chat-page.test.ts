import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { translator, clientStrings, type Locale } from '../../src/i18n/index.js';
import { createMessageHtml } from '../../src/modules/messages/message-html.js';
import { CHAT_MODULES, createChatPage, type ChatPageInput } from '../../src/modules/rooms/chat-page.js';
import type { Room } from '../../src/modules/rooms/repository.js';
import type { RoomView } from '../../src/modules/rooms/room-views.js';
import type { User } from '../../src/modules/users/repository.js';
import { createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';

// The app's own template engine (its filters and settings); no storage is read.
describe('the chat page from a kept shell', () => {
  let storage: Storage;
  let hihi: RunningApp;
  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  const room: Room = { id: 4, name: 'Lobby <b>&"\'', description: 'about \\ things', ownerId: 1, createdAt: 0, archived: false, visibility: 'public', kind: 'room', dmUsers: null };
  const person = (id: number, name: string, permissions: User['permissions'] = [], theme: User['theme'] = 'system'): User => ({
    id, username: `u${id}`, displayName: name, disabled: false, deleted: false, permissions, locale: null, theme,
  });
  const ann = person(1, 'Ann <script>"&\'\\', ['admin']);
  const bob = person(2, 'Bob');
  const cat = person(3, '猫', ['manage_users'], 'dark');
  const view: RoomView = {
    page: {
      messages: [1, 2, 3].map((id) => ({ room: 4, id, ts: 1_700_000_000_000 + id, user: { id: 2, name: 'Bob' }, body: `hello ${id} <i>&amp; https://example.org/?a="1"`, clientId: `c${id}` })),
      hasMore: true,
    },
    roster: { members: [ann, bob, cat].map((u) => ({ id: u.id, name: u.displayName })), online: [{ id: 2, name: 'Bob' }] },
    memberIds: new Set([1, 2, 3]),
  };

  function setup() {
    let renders = 0;
    const render = (template: string, context: object) => {
      if (template === 'pages/rooms/chat.njk') renders++;
      return hihi.app.renderPartial(template, context);
    };
    const messageHtml = createMessageHtml((m, v: { locale: string; canModerate: boolean; t: ReturnType<typeof translator> }) =>
      render('partials/message.njk', { m, canModerate: v.canModerate, t: v.t }),
    );
    return { chatPage: createChatPage({ render, messagesHtml: messageHtml.list, editWindowMs: 15 * 60_000 }), messageHtml, render, renders: () => renders };
  }

  /** What the template renders for this reader with every value in place. */
  function direct(s: ReturnType<typeof setup>, input: ChatPageInput, clientId: string): string {
    const muted = input.mine.mute === undefined ? false : { until: input.mine.mute, reason: input.muteReason ?? '' };
    const { messages, hasMore } = input.view.page;
    const client = {
      room: input.room.id,
      me: { id: input.user.id, name: input.user.displayName },
      canModerate: input.moderator,
      member: input.member,
      muted,
      archived: input.room.archived,
      lastId: messages.at(-1)?.id ?? 0,
      firstId: messages[0]?.id ?? 0,
      hasOlder: hasMore,
      live: !input.viewingOlder,
      editWindowMs: 15 * 60_000,
      lastRead: input.lastRead ?? 0,
      notify: input.user.notify ?? 'mentions',
      strings: clientStrings(input.t),
    };
    return s.render('pages/rooms/chat.njk', {
      locale: input.locale,
      t: input.t,
      currentPath: input.path,
      user: input.user,
      room: input.room,
      messages,
      messagesHtml: s.messageHtml.list(messages, { locale: input.locale, canModerate: input.moderator, t: input.t }),
      hasOlder: hasMore,
      viewingOlder: input.viewingOlder,
      roster: input.view.roster,
      canModerate: input.moderator,
      member: input.member,
      me: input.user,
      muted,
      restricted: input.restricted,
      mutedIds: input.restricted.filter((r) => r.kind === 'mute').map((r) => r.userId),
      csrf: input.csrf,
      clientId,
      clientJson: JSON.stringify(client),
      chatModules: CHAT_MODULES,
    });
  }

  const input = (user: User, over: Partial<ChatPageInput> = {}): ChatPageInput => {
    const locale: Locale = over.locale ?? 'en';
    return {
      room,
      view,
      viewingOlder: false,
      user,
      member: true,
      moderator: false,
      restricted: [],
      mine: {},
      locale,
      t: translator(locale),
      csrf: `tok-${user.id}-${Math.random()}`,
      path: `/rooms/4?q="<'&>`,
      ...over,
    };
  };

  function assertSame(s: ReturnType<typeof setup>, i: ChatPageInput, what: string) {
    const page = s.chatPage(i).toString('utf8');
    const clientId = page.match(/name="clientId" value="([^"]+)"/)?.[1];
    assert.equal(clientId !== undefined, i.member, `${what}: a composer only for members`);
    assert.equal(page, direct(s, i, clientId ?? ''), what);
    return page;
  }

  test("is the template's page for every reader, escaped alike", () => {
    const s = setup();
    const readers: Array<[string, ChatPageInput]> = [
      ['a member', input(bob)],
      ['another member, same shell', input(bob, { user: person(9, 'Zed "9"') })],
      ['a member with a dark theme, same shell', input(bob, { user: person(10, 'Dee', [], 'dark') })],
      ['an admin (more links), moderating', input(ann, { moderator: true })],
      ['a user manager, in Chinese', input(cat, { locale: 'zh-CN' })],
      ['a muted member', input(bob, { mine: { mute: 1_800_000_000_000 } })],
      [
        'a moderator while others are restricted',
        input(ann, {
          moderator: true,
          restricted: [
            { userId: bob.id, name: bob.displayName, kind: 'mute', until: 1_800_000_000_000 },
            { userId: 9, name: 'Zed <9>', kind: 'ban', until: null },
          ],
        }),
      ],
      ['a member muted until lifted', input(bob, { mine: { mute: null } })],
      ['a member muted with a reason', input(bob, { mine: { mute: null }, muteReason: 'too <loud> & "rude"' })],
      ['an older page', input(bob, { viewingOlder: true })],
      ['an archived room', input(bob, { room: { ...room, archived: true } })],
      ['a non-member, reading', input(person(9, 'Zed'), { member: false })],
    ];
    for (const [what, i] of readers) assertSame(s, i, what);
    assert.match(assertSame(s, input(person(10, 'Dee', [], 'light')), 'a light theme'), /<html lang="en" data-theme="light">/);
  });

  test('a shell is kept per language, role and links; a moderator’s per person; muted readers and older pages get their own', () => {
    const s = setup();
    s.chatPage(input(bob));
    s.chatPage(input(person(9, 'Zed')));
    assert.equal(s.renders(), 1, 'two members share one shell');
    s.chatPage(input(bob, { locale: 'zh-CN' }));
    s.chatPage(input(cat));
    s.chatPage(input(ann, { moderator: true }));
    s.chatPage(input(ann, { moderator: true }));
    assert.equal(s.renders(), 4, 'language, links and role each build their own shell, once');
    const mod = person(8, 'Mod', ['admin']);
    s.chatPage(input(mod, { moderator: true }));
    s.chatPage(input(mod, { moderator: true }));
    assert.equal(s.renders(), 6, 'a fifth variant is not kept (four per view)');
    s.chatPage(input(bob));
    assert.equal(s.renders(), 6, 'the kept ones still are');
    s.chatPage(input(bob, { mine: { mute: null } }));
    s.chatPage(input(bob, { mine: { mute: null } }));
    s.chatPage(input(bob, { viewingOlder: true }));
    assert.equal(s.renders(), 9, 'built each time');
    s.chatPage(input(bob, { room: { ...room, description: 'changed' } }));
    assert.equal(s.renders(), 10, 'a newer read of the room');
    assertSame(s, input(bob, { room: { ...room, description: 'changed' } }), 'the newer room');
  });

  test('every module the chat script imports is preloaded, without a hand-kept list', async () => {
    const fs = await import('node:fs');
    const { PUBLIC_DIR } = await import('../../src/paths.js');
    const files = fs.readdirSync(`${PUBLIC_DIR}/js/chat`).filter((f) => f.endsWith('.js'));
    assert.ok(files.includes('dates.js') && files.length >= 10);
    const html = setup().chatPage(input(bob)).toString();
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="\/static\/js\/([^"]+)">/g)].map((m) => m[1]!);
    // Every module under chat/ is imported by the entry (none is dead), and modules outside it
    // that they import (the shared socket, the renderer) are preloaded too.
    for (const f of files) assert.ok(preloaded.includes(`chat/${f}`), f);
    assert.ok(preloaded.includes('live-socket.js'), 'a module imported from chat/');
    for (const m of preloaded) assert.ok(fs.existsSync(`${PUBLIC_DIR}/js/${m}`), m);
  });
});
