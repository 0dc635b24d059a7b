import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDetails, detailRefs } from '../../src/modules/audit/describe.js';
import { SITE_ACTIONS, type SiteAction, type SiteAuditEntry } from '../../src/modules/audit/log.js';
import { translator } from '../../src/i18n/index.js';

const en = translator('en');
const zh = translator('zh-CN');
const names = { user: (id: number) => (id === 1 ? 'Ada' : undefined), room: (id: number) => ({ 3: 'Lobby', 4: 'Ops' })[id] };
type Case = [SiteAction, SiteAuditEntry['details'], string[], string[]];

/** Every shape the writers store (src/modules/**, src/cli/user.ts), in both languages. */
const CASES: Case[] = [
  ['user_create', { via: 'admin' }, ['Created in the admin area.'], ['在管理后台创建。']],
  ['user_create', { via: 'cli', admin: true }, ['Done on the server’s command line.', 'Created as an administrator.'], ['在服务器命令行上执行。', '创建时即为管理员。']],
  ['user_register', { via: 'registration' }, ['Signed up on the open sign-up page.'], ['通过公开注册页面注册。']],
  ['invite_use', { via: 'invite', invite: 7, by: 1, permissions: 'moderate,create_room' }, ['Used invite #7, created by Ada.', 'Permissions given: Moderate, Create rooms.'], ['使用了 Ada 创建的邀请 #7。', '授予的权限：管理聊天室、创建聊天室。']],
  ['invite_use', { via: 'invite', invite: 8, by: 99 }, ['Used invite #8, created by a user who no longer exists.'], ['使用了 一位已不存在的用户 创建的邀请 #8。']],
  ['user_disable', {}, [], []],
  ['user_enable', {}, [], []],
  ['user_delete', { username: 'old-name' }, ['The account’s username was old-name.'], ['该账户原来的用户名是 old-name。']],
  ['password_reset', {}, [], []],
  ['password_reset', { via: 'cli' }, ['Done on the server’s command line.'], ['在服务器命令行上执行。']],
  ['permission_grant', { permission: 'admin' }, ['Permission: Administrator.'], ['权限：管理员。']],
  ['permission_revoke', { permission: 'manage_users' }, ['Permission: Manage users.'], ['权限：管理用户。']],
  ['room_create', { room: 3, name: 'Lobby' }, ['Room “Lobby”.'], ['聊天室“Lobby”。']],
  ['room_archive', { room: 3, name: 'Lobby' }, ['Room “Lobby”.'], ['聊天室“Lobby”。']],
  ['room_unarchive', { room: 3, name: 'Lobby' }, ['Room “Lobby”.'], ['聊天室“Lobby”。']],
  ['room_delete', { room: 3, name: 'Lobby' }, ['Room “Lobby”.'], ['聊天室“Lobby”。']],
  ['member_add', { room: 4, name: 'Ops' }, ['Room “Ops”.'], ['聊天室“Ops”。']],
  ['member_remove', { room: 4, name: 'Ops' }, ['Room “Ops”.'], ['聊天室“Ops”。']],
  ['settings_change', { setting: 'registration', from: 'closed', to: 'open' }, ['Who may create an account: changed from nobody to anyone.'], ['可以创建账户的人：从“没有人”改为“任何人”。']],
  ['settings_change', { setting: 'require_admin_2fa', from: false, to: true }, ['Administrators must now use two-factor sign-in.'], ['管理员现在必须使用两步验证登录。']],
  ['settings_change', { setting: 'require_admin_2fa', from: true, to: false }, ['Administrators no longer have to use two-factor sign-in.'], ['管理员不再必须使用两步验证登录。']],
  ['invite_create', { invite: 5, uses: 1, hours: 1 }, ['Invite #5: one use, valid for 1 hour.'], ['邀请 #5：可使用 1 次，有效期 1 小时。']],
  ['invite_create', { invite: 6, uses: 10, hours: 72, permissions: 'create_room', rooms: '3,4,9' }, ['Invite #6: 10 uses, valid for 72 hours.', 'Permissions given: Create rooms.', 'Rooms joined on sign-up: Lobby, Ops, a room since deleted.'], ['邀请 #6：可使用 10 次，有效期 72 小时。', '授予的权限：创建聊天室。', '注册后加入的聊天室：Lobby、Ops、已删除的聊天室。']],
  ['invite_revoke', { invite: 6 }, ['Invite #6.'], ['邀请 #6。']],
  // A room owner's invite link (the room's name recorded with it), its use and a sign-up through it.
  ['invite_create', { invite: 11, uses: 5, hours: 24, room: 4, name: 'Ops' }, ['Invite #11: 5 uses, valid for 24 hours.', 'A link to the private room “Ops”.'], ['邀请 #11：可使用 5 次，有效期 24 小时。', '私密聊天室“Ops”的邀请链接。']],
  ['invite_revoke', { invite: 11, room: 4, name: 'Ops' }, ['Invite #11.', 'A link to the private room “Ops”.'], ['邀请 #11。', '私密聊天室“Ops”的邀请链接。']],
  ['invite_join', { invite: 11, by: 1, room: 4 }, ['Used invite #11, created by Ada.', 'A link to the private room “Ops”.'], ['使用了 Ada 创建的邀请 #11。', '私密聊天室“Ops”的邀请链接。']],
  ['invite_join', { invite: 12, by: 1, room: 99 }, ['Used invite #12, created by Ada.', 'A link to a private room since deleted.'], ['使用了 Ada 创建的邀请 #12。', '一个已删除的私密聊天室的邀请链接。']],
  ['invite_use', { via: 'invite', invite: 11, by: 1, room: 4 }, ['Used invite #11, created by Ada.', 'A link to the private room “Ops”.'], ['使用了 Ada 创建的邀请 #11。', '私密聊天室“Ops”的邀请链接。']],
  ['2fa_enable', {}, [], []],
  ['2fa_disable', {}, [], []],
  ['2fa_reset', { via: 'cli' }, ['Done on the server’s command line.'], ['在服务器命令行上执行。']],
];

test('each action kind: its details as translated sentences, in English and Chinese', () => {
  for (const [action, details, inEn, inZh] of CASES) {
    assert.deepEqual(describeDetails(action, details, en, names), inEn, `${action} ${JSON.stringify(details)}`);
    assert.deepEqual(describeDetails(action, details, zh, names), inZh, `${action} ${JSON.stringify(details)} (zh-CN)`);
  }
  assert.deepEqual([...new Set(CASES.map((c) => c[0]))].sort(), [...SITE_ACTIONS].sort(), 'every action has a case');
});

test('fields an action does not describe, or of the wrong type, become one generic line, never key=value', () => {
  assert.deepEqual(describeDetails('settings_change', { marker: 'old' }, en, names), ['One more recorded detail is not described here.']);
  assert.deepEqual(describeDetails('settings_change', { setting: 'theme', from: 'a', to: 'b' }, en, names), ['3 more recorded details are not described here.']);
  assert.deepEqual(describeDetails('settings_change', { setting: 'theme', from: 'a', to: 'b' }, zh, names), ['另有 3 项记录的详情未在此说明。']);
  assert.deepEqual(describeDetails('user_disable', { via: 'cli', reason: 'x' }, en, names), ['Done on the server’s command line.', 'One more recorded detail is not described here.']);
  // A number where a string belongs (and the reverse) is not described as if it fit.
  assert.deepEqual(describeDetails('user_delete', { username: 5 }, en, names), ['One more recorded detail is not described here.']);
  assert.deepEqual(describeDetails('invite_revoke', { invite: '6' }, en, names), ['One more recorded detail is not described here.']);
  // Values the server never wrote are named generically, not echoed.
  assert.deepEqual(describeDetails('permission_grant', { permission: 'perm.admin.hint' }, en, names), ['Permission: a permission this version does not know.']);
  assert.deepEqual(describeDetails('settings_change', { setting: 'registration', from: 'closed', to: '<b>' }, en, names), ['Who may create an account: changed from nobody to a setting this version does not know.']);
  for (const [action, details] of CASES) {
    for (const line of [...describeDetails(action, details, en, names), ...describeDetails(action, details, zh, names)]) assert.doesNotMatch(line, /=|\{\w+\}/, line);
  }
});

test('the ids to look up: invite creators and an invite’s rooms', () => {
  assert.deepEqual(
    detailRefs([
      { action: 'invite_use', details: { invite: 1, by: 4 } },
      { action: 'invite_create', details: { invite: 2, rooms: '3,9,x' } },
      { action: 'room_create', details: { room: 12, name: 'n' } },
    ]),
    { users: [4], rooms: [3, 9] },
  );
});
