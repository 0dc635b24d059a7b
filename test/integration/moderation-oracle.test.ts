import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStorage, startApp, type RunningApp, type Storage } from '../support/app.js';
import { backend } from '../support/backends.js';
import { WebClient } from '../support/http.js';

// A room owner must not learn from the moderation form whether a username exists: for someone
// who is not in the room, "no such user" and "exists elsewhere" get the same answer.
describe(`the moderation form is no account oracle (${backend})`, () => {
  let storage: Storage;
  let hihi: RunningApp;
  let owner: WebClient;
  let room: number;

  before(async () => {
    storage = await createStorage();
    hihi = await startApp(storage);
    await hihi.createUser('olga', 'olga-password-1', ['create_room']);
    await hihi.createUser('stranger', 'stranger-password-1');
    await hihi.createUser('member', 'member-password-1');
    owner = new WebClient(hihi.url);
    await owner.login('olga', 'olga-password-1');
    room = await owner.createRoom('Olga’s room');
    await hihi.app.deps.live.membership.join(room, (await hihi.app.deps.users.findByUsername('member'))!.id);
  });
  after(async () => {
    await hihi?.close();
    await storage?.cleanup();
  });

  const act = async (action: string, username: string) => {
    const res = await owner.submit(`/rooms/${room}/moderation`, `/rooms/${room}/moderation`, { action, username, minutes: '', reason: '' });
    // The page's own tokens differ per request; the rest must not.
    return { status: res.status, body: (await res.text()).replace(/value="[^"]*"/g, '') };
  };

  test('every action answers the same for a stranger and for a name nobody has', async () => {
    for (const action of ['unmute', 'unban', 'mute', 'kick', 'ban']) {
      const ghost = await act(action, 'nobody_by_this_name');
      const stranger = await act(action, 'stranger');
      assert.equal(stranger.status, ghost.status, `${action}: status`);
      assert.equal(stranger.status, 404, `${action}: not found`);
      assert.equal(stranger.body, ghost.body, `${action}: page`);
    }
    // Members are still moderated as before.
    assert.equal((await act('unmute', 'member')).status, 409, 'a member who is not muted');
    assert.equal((await act('mute', 'member')).status, 303);
    assert.equal((await act('unmute', 'member')).status, 303);
  });
});
