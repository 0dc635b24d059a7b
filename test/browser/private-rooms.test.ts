import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backend } from '../support/backends.js';
import { browserSuite, createRoomFromList, saveScreenshot, signIn } from '../support/browser.js';

/** Private rooms, direct messages and blocking as people use them, in headless Chromium. */
describe(`private rooms, direct messages and blocking in the browser (${backend})`, () => {
  const suite = browserSuite(async (hihi) => {
    await hihi.createUser('dana', 'dana-password-1', ['create_room']);
    await hihi.createUser('eli', 'eli-password-1');
  });

  test('create a private room, add a member who then sees it, open a DM from the member list, block: live messages collapse', async () => {
    const { hihi, browser } = suite;
    const ctxD = await browser.newContext();
    const ctxE = await browser.newContext();
    const dana = await signIn(ctxD, hihi.url, 'dana', 'dana-password-1');
    const eli = await signIn(ctxE, hihi.url, 'eli', 'eli-password-1');

    await dana.check('input[name=visibility][value=private]');
    await createRoomFromList(dana, 'Hideout', 'just us');
    const room = Number(new URL(dana.url()).pathname.split('/').pop());
    await eli.goto(`${hihi.url}/rooms`);
    assert.equal(await eli.locator(`a[href="/rooms/${room}"]`).count(), 0, 'not listed to a non-member');
    assert.equal((await eli.goto(`${hihi.url}/rooms/${room}`))!.status(), 404);

    // The owner adds eli on the moderation panel's members form.
    await dana.goto(`${hihi.url}/rooms/${room}/moderation`);
    await dana.fill('#room-members input[name=username]', 'eli');
    await dana.click('#room-members button[value=add]');
    await dana.locator('p.notice', { hasText: 'eli was added to this room.' }).waitFor();

    await eli.goto(`${hihi.url}/rooms`);
    await eli.click(`#my-rooms a[href="/rooms/${room}"]`);
    await eli.waitForSelector('#conn[data-state="online"]');
    assert.equal(await eli.locator('#room-title').textContent(), 'Hideout');

    // From the member list: Message dana opens (creates) the conversation.
    await Promise.all([eli.waitForURL(/\/rooms\/\d+$/), eli.locator('#members li:has-text("dana") .dm-open').click()]);
    const dm = Number(new URL(eli.url()).pathname.split('/').pop());
    assert.notEqual(dm, room);
    assert.equal(await eli.locator('#room-title').textContent(), 'dana');
    await eli.waitForSelector('#conn[data-state="online"]');
    assert.equal(await eli.locator('#members li:has-text("eli") .dm-open').count(), 0, 'no Message button for oneself');
    await eli.goto(`${hihi.url}/rooms`);
    assert.equal(await eli.locator(`#my-dms a[href="/rooms/${dm}"]`).textContent(), 'dana');

    // Eli blocks dana from the DM page; dana's new message in the shared room arrives collapsed.
    await eli.goto(`${hihi.url}/rooms/${dm}`);
    await Promise.all([eli.waitForURL(new RegExp(`/rooms/${dm}$`)), eli.click('form.dm-block button[type=submit]')]);
    assert.match((await eli.locator('form.dm-block').textContent()) ?? '', /You blocked this person/);
    await eli.goto(`${hihi.url}/rooms/${room}`);
    await eli.waitForSelector('#conn[data-state="online"]');
    await dana.goto(`${hihi.url}/rooms/${room}`);
    await dana.waitForSelector('#conn[data-state="online"]');
    await dana.fill('#body', 'a secret hello');
    await dana.press('#body', 'Enter');
    const collapsed = eli.locator('#messages li.msg.blocked:has-text("Message from a blocked user")');
    await collapsed.waitFor();
    assert.equal(await eli.locator('#messages li.msg.blocked .body').isVisible(), false, 'the body is hidden');
    await saveScreenshot(eli, 'private-blocked-live.png');
    await eli.locator('#messages li.msg.blocked .show-blocked').click();
    assert.equal(await eli.locator('#messages li.msg:has-text("a secret hello") .body').isVisible(), true, 'shown on request');
    // Dana's message in the conversation is refused, and says why.
    await dana.goto(`${hihi.url}/rooms/${dm}`);
    await dana.waitForSelector('#conn[data-state="online"]');
    await dana.fill('#body', 'hello?');
    await dana.press('#body', 'Enter');
    await dana.locator('#messages li.failed .state:has-text("This person does not accept your messages")').waitFor();
    // Nor can she open the conversation again.
    await dana.goto(`${hihi.url}/rooms/${room}`);
    await dana.waitForSelector('#conn[data-state="online"]');
    await Promise.all([dana.waitForLoadState(), dana.locator('#members li:has-text("eli") .dm-open').click()]);
    assert.match(await dana.content(), /This person does not accept your messages/);

    assert.deepEqual([...dana.errors, ...eli.errors].filter((e) => !/status of 40[04]/.test(e)), []);
    await ctxD.close();
    await ctxE.close();
  });
});
