/// <reference lib="dom" />
/**
 * A lived-in hihi for the look-and-feel checks (test/browser/look.test.ts) and the screenshots
 * (scripts/screenshots.ts): people, rooms, and two days of conversation, posted through the
 * real services with the app's clock moved back.
 */
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN, createStorage, startApp, type RunningApp, type Storage } from './app.js';
import { launchBrowser } from './browser.js';
import { base32Decode, hotp, timeStep } from '../../src/modules/auth/two-factor/totp.js';

export const PEOPLE = [
  { username: 'mei', password: 'mei-password-1' },
  { username: 'omar', password: 'omar-password-1' },
  { username: 'lena', password: 'lena-password-1' },
  { username: 'sam', password: 'sam-password-1' },
  // Blocked omar: his messages are collapsed on her pages.
  { username: 'kai', password: 'kai-password-1' },
];

export interface Showcase {
  storage: Storage;
  hihi: RunningApp;
  /** The seeded room with messages. */
  room: number;
  /** A private room the admin owns (mei and kai are members). */
  privateRoom: number;
  /** The admin's direct message with mei. */
  dm: number;
  /** A usable invite link's token (registration is set to invites only). */
  invite: string;
  /** A usable invite link to the private room (sam is no member), and a revoked one. */
  roomInvite: string;
  roomInviteRevoked: string;
  close: () => Promise<void>;
}

const MINUTE = 60_000;

/** A user with two-factor sign-in on; `enrol-1`… (same password) turn it on in the checks. */
export const TWO_FACTOR_USER = { username: 'tove', password: 'tove-password-1' };
/** Users ready to enrol: one per check of the recovery-codes page on one showcase. */
const ENROLLERS = 16;
/** The current TOTP code of a base32 secret. */
export const totpNow = (secret: string) => hotp(base32Decode(secret), timeStep(Date.now()));

export async function startShowcase(): Promise<Showcase> {
  const storage = await createStorage();
  // The clock runs 27 hours behind while seeding, then catches up with the real one.
  let offset = 0;
  // Every context signs in from 127.0.0.1: dozens of sign-ins a minute.
  const hihi = await startApp(storage, { LOGIN_RATE_PER_MINUTE: '100000' }, { now: () => Date.now() - offset });
  const { deps } = hihi.app;
  const admin = (await deps.users.findByUsername(ADMIN.username))!;
  const [mei, omar, lena, sam, kai] = await Promise.all(PEOPLE.map((p) => hihi.createUser(p.username, p.password)));
  await hihi.createUser('a-user-with-a-rather-long-name', 'long-password-1');
  const room = await deps.rooms.create(admin, { name: 'Design review', description: 'Mock-ups, feedback and the weekly demo' });
  await deps.rooms.create(admin, { name: '产品讨论', description: '新功能和路线图' });
  await deps.rooms.create(admin, { name: 'random', description: '' });
  for (const u of [mei!, omar!, lena!, sam!, kai!]) await deps.rooms.join(room.id, u);
  // A private room and direct messages: the admin's room list shows both sections.
  const privateRoom = await deps.rooms.create(admin, { name: 'Launch plans', description: 'Members only', visibility: 'private' });
  for (const u of [mei!, kai!]) await deps.rooms.setMember(privateRoom.id, admin, u.username, 'add');
  const dm = await deps.rooms.openDm(admin, mei!);
  await deps.rooms.openDm(admin, omar!);
  await deps.blocks.block(kai!.id, omar!.id);
  const script: Array<[typeof admin, string, number]> = [
    [mei!, 'Morning! The new sign-in page is up on staging.', 0],
    [mei!, 'Feedback welcome before Thursday’s demo.', 1],
    [omar!, 'Looks clean. The button contrast could be a bit stronger in dark mode.', 4],
    [admin, 'Agreed. Tracking it here: https://example.org/issues/21', 6],
    [lena!, '我看了一下，中文界面也没问题', 12],
    [mei!, 'Pushed a fix for the contrast.', 60 * 26],
    [mei!, 'Also tightened the spacing on the room list.', 60 * 26 + 1],
    [omar!, 'Much better — a very long word to check wrapping: supercalifragilisticexpialidocious-and-then-some', 60 * 26 + 3],
    [admin, 'Ship it.', 60 * 26 + 5],
    // Markdown and a mention of the admin (every page of the matrix is seen as the admin).
    [omar!, '@admin the **release notes**, _briefly_:\n- ~~old~~ new `sign-in` page\n> contrast fixed\n```\nnpm run build && npm run screenshots -- --all-the-pages-at-once\n```', 60 * 26 + 6],
  ];
  let i = 0;
  const posted: number[] = [];
  for (const [who, body, minutes] of script) {
    offset = 27 * 60 * MINUTE - minutes * MINUTE;
    posted.push((await deps.messages.post(room, who, `seed-${i++}`, body, body === 'Ship it.' ? posted[5] : undefined)).id);
  }
  // An edited message and (above) a reply, so every page check sees their markup too.
  const edited = (await deps.live.messages.get(room.id, posted[6]!))!;
  await deps.live.messages.edit(room.id, edited, 'Also tightened the spacing on the room list and the chat header.', edited.ts + 2 * MINUTE);
  offset = 27 * 60 * MINUTE - 60 * 26 * MINUTE - 10 * MINUTE;
  await deps.messages.post(dm, mei!, 'seed-dm-1', 'Can you look at the launch checklist before Friday?');
  await deps.messages.post(dm, admin, 'seed-dm-2', 'Sure, on it after lunch.');
  await deps.messages.post(privateRoom, admin, 'seed-private-1', 'Launch date moves to **Monday**.');
  offset = 0;
  // Mei read up to Lena's message: her chat page opens at the "new messages" divider.
  deps.readMarkers.advance(mei!.id, room.id, 5);
  await deps.readMarkers.flush();
  await deps.moderation.act(admin, room.id, { action: 'mute', target: { userId: lena!.id }, minutes: 30, reason: 'cool down' });
  await deps.moderation.act(admin, room.id, { action: 'kick', target: { userId: sam!.id }, minutes: 60, reason: 'spam' });
  const origin = { ip: '192.0.2.10' };
  // Two-factor: one user with it on (the second sign-in step), and fresh ones to turn it on.
  const tove = await hihi.createUser(TWO_FACTOR_USER.username, TWO_FACTOR_USER.password);
  const { secret } = await deps.twoFactor.beginEnrolment(tove);
  await deps.twoFactor.confirmEnrolment(tove.id, totpNow(secret), origin);
  for (let n = 1; n <= ENROLLERS; n++) await hihi.createUser(`enrol-${n}`, TWO_FACTOR_USER.password);
  await deps.settings.setRegistration(admin, 'invite', origin);
  const { token: invite } = await deps.invites.create(admin, { uses: 5, expiresHours: 72, permissions: ['create_room'], rooms: [room.id] }, origin);
  await deps.invites.create(admin, { uses: 1, expiresHours: 24, permissions: [], rooms: [] }, origin);
  const { token: roomInvite } = await deps.invites.createForRoom(admin, privateRoom.id, { uses: 10, expiresHours: 168 }, origin);
  const revoked = await deps.invites.createForRoom(admin, privateRoom.id, { uses: 1, expiresHours: 24 }, origin);
  await deps.invites.revokeForRoom(admin, privateRoom.id, revoked.invite.id, origin);
  return {
    storage,
    hihi,
    room: room.id,
    privateRoom: privateRoom.id,
    dm: dm.id,
    invite,
    roomInvite,
    roomInviteRevoked: revoked.token,
    close: async () => {
      await hihi.close();
      await storage.cleanup();
    },
  };
}

/** Registers before/after hooks: a showcase and Chromium, read from the fields inside tests. */
export function showcaseSuite() {
  const ctx = {} as { s: Showcase; browser: Browser };
  before(async () => {
    ctx.s = await startShowcase();
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.s?.close();
  });
  return ctx;
}

export interface ShowPage {
  name: string;
  path: (s: Showcase) => string;
  /** Signed in as: the admin unless a username is given; `null` for signed out. */
  as?: string | null;
  status?: number;
  /** Fills the form with this id and submits it: the page is then the server's answer (a form with errors). */
  submit?: { form: string; fields: Record<string, string> };
  /** Brings the page into the state to check (a menu open). */
  prepare?: (page: Page) => Promise<void>;
}

/** Opens the first member's moderation menu and its Mute options, as a moderator would. */
async function openMemberMenu(page: Page) {
  // On a phone the people are in a drawer.
  if (await page.locator('.people-btn').isVisible()) await page.locator('.people-btn').click();
  const item = page.locator('#members li:has(details.mod-menu)').first();
  await item.locator('details.mod-menu > summary').click();
  await item.locator('details.mod-act:has(button[data-action="mute"]) > summary').click();
  await item.locator('select.duration').first().waitFor();
}

/** Signs in as the user with two-factor on: the page is the second step. */
async function passwordStepOf2fa(page: Page) {
  await page.fill('input[name=username]', TWO_FACTOR_USER.username);
  await page.fill('input[name=password]', TWO_FACTOR_USER.password);
  await Promise.all([page.waitForURL(/\/login\/2fa$/), page.click('button[type=submit].primary')]);
}

/** Turns two-factor on for a fresh user (one per call), reading the key from the page: the page is the recovery codes. */
let enrolled = 0;
async function enrolFresh(page: Page) {
  enrolled++;
  await page.fill('input[name=username]', `enrol-${enrolled}`);
  await page.fill('input[name=password]', TWO_FACTOR_USER.password);
  await Promise.all([page.waitForURL(/\/rooms$/), page.click('button[type=submit].primary')]);
  await page.goto(page.url().replace(/\/rooms$/, '/account/2fa'));
  const secret = (await page.locator('#twofa-secret').textContent())!.trim();
  await page.fill('input[name=code]', totpNow(secret));
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#twofa-setup button[type=submit]')]);
  await page.waitForSelector('#recovery-codes');
}

/** Every page, for the accessibility and overflow checks. */
export const ALL_PAGES: ShowPage[] = [
  { name: 'login', path: () => '/login', as: null },
  { name: 'rooms', path: () => '/rooms' },
  { name: 'chat', path: (s) => `/rooms/${s.room}` },
  { name: 'chat-menu', path: (s) => `/rooms/${s.room}`, prepare: openMemberMenu },
  { name: 'chat-muted', path: (s) => `/rooms/${s.room}`, as: 'lena' },
  { name: 'chat-unread', path: (s) => `/rooms/${s.room}`, as: 'mei' },
  { name: 'removed', path: (s) => `/rooms/${s.room}`, as: 'sam', status: 403 },
  { name: 'admin-users', path: () => '/admin/users' },
  { name: 'admin-permissions', path: () => '/admin/permissions' },
  { name: 'admin-system', path: () => '/admin/system' },
  { name: 'admin-settings', path: () => '/admin/settings' },
  { name: 'admin-invites', path: () => '/admin/invites' },
  { name: 'admin-audit', path: () => '/admin/audit' },
  { name: 'register-invite', path: (s) => `/invite/${s.invite}`, as: null },
  { name: 'register-refused', path: () => '/register', as: null, status: 403 },
  { name: 'moderation', path: (s) => `/rooms/${s.room}/moderation` },
  { name: 'account', path: () => '/account' },
  { name: 'error-403', path: () => '/admin/permissions', as: 'mei', status: 403 },
  { name: 'error-404', path: () => '/no-such-page', status: 404 },
  { name: 'twofa-setup', path: () => '/account/2fa' },
  { name: 'twofa-step', path: () => '/login', as: null, prepare: passwordStepOf2fa },
  { name: 'twofa-codes', path: () => '/login', as: null, prepare: enrolFresh },
  { name: 'chat-dm', path: (s) => `/rooms/${s.dm}` },
  { name: 'chat-private', path: (s) => `/rooms/${s.privateRoom}` },
  { name: 'chat-blocked', path: (s) => `/rooms/${s.room}`, as: 'kai' },
  { name: 'blocks', path: () => '/blocks', as: 'kai' },
  { name: 'moderation-private', path: (s) => `/rooms/${s.privateRoom}/moderation` },
  { name: 'room-invite', path: (s) => `/invite/${s.roomInvite}`, as: null },
  { name: 'room-invite-join', path: (s) => `/invite/${s.roomInvite}`, as: 'sam' },
  { name: 'room-invite-refused', path: (s) => `/invite/${s.roomInviteRevoked}`, as: 'sam', status: 410 },
  { name: 'room-invite-created', path: (s) => `/rooms/${s.privateRoom}/moderation`, submit: { form: 'create-room-invite', fields: { uses: '3', expiresHours: '48' } } },
  { name: 'admin-invite-created', path: () => '/admin/invites', submit: { form: 'create-invite', fields: { uses: '2', expiresHours: '24' } } },
];

/** Forms refused by the server, re-rendered with their messages (test/browser/forms.test.ts, screenshots). */
export const FORM_PAGES: ShowPage[] = [
  { name: 'rooms-invalid', path: () => '/rooms', status: 409, submit: { form: 'create-room', fields: { name: 'DESIGN REVIEW', description: 'Again' } } },
  { name: 'admin-users-invalid', path: () => '/admin/users', status: 400, submit: { form: 'create-user', fields: { username: 'has space', password: 'password123' } } },
  { name: 'register-invalid', path: (s) => `/invite/${s.invite}`, as: null, status: 400, submit: { form: 'register', fields: { username: 'has space', password: 'password123', password2: 'password124' } } },
  { name: 'admin-permissions-invalid', path: () => '/admin/permissions', status: 404, submit: { form: 'set-permission', fields: { username: 'nobody' } } },
  // The first button: Add member.
  { name: 'moderation-members-invalid', path: (s) => `/rooms/${s.privateRoom}/moderation`, status: 404, submit: { form: 'room-members', fields: { username: 'nobody' } } },
];

export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 360, height: 740 } } as const;
export const LANGS = ['en', 'zh-CN'] as const;
export const THEMES = ['light', 'dark'] as const;

/** A browser context in one language, theme and size, signed in as `username` (or not). */
export async function showContext(
  browser: Browser,
  s: Showcase,
  opts: { lang: (typeof LANGS)[number]; theme: (typeof THEMES)[number]; viewport: keyof typeof VIEWPORTS; as: string | null },
): Promise<BrowserContext> {
  const mobile = opts.viewport === 'mobile';
  const ctx = await browser.newContext({
    locale: opts.lang,
    colorScheme: opts.theme,
    viewport: VIEWPORTS[opts.viewport],
    deviceScaleFactor: 1,
    hasTouch: mobile,
    isMobile: mobile,
  });
  if (opts.as !== null) {
    const password = opts.as === ADMIN.username ? ADMIN.password : PEOPLE.find((p) => p.username === opts.as)!.password;
    const page = await ctx.newPage();
    await page.goto(`${s.hihi.url}/login`);
    await page.fill('input[name=username]', opts.as);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(/\/rooms$/), page.click('button[type=submit].primary')]);
    await page.close();
  }
  return ctx;
}

/** Opens a page and waits until it is settled (the chat page: connected and scrolled). */
export async function openPage(ctx: BrowserContext, s: Showcase, p: ShowPage): Promise<{ page: Page; status: number }> {
  const page = await ctx.newPage();
  let res = await page.goto(s.hihi.url + p.path(s));
  if (p.name.startsWith('chat')) await page.waitForSelector('#conn[data-state="online"]');
  await p.prepare?.(page);
  if (p.submit) {
    const form = page.locator(`form#${p.submit.form}`);
    for (const [name, value] of Object.entries(p.submit.fields)) await form.locator(`[name="${name}"]`).fill(value);
    [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), form.locator('button[type=submit]').first().click()]);
    await page.waitForLoadState();
  }
  return { page, status: res?.status() ?? 0 };
}
