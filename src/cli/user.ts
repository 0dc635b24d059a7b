/**
 * npm run user -- <create|reset|reset-2fa> <username> [--admin] [--password PW]
 * For operators when nobody can sign in: creates a user (optionally admin), resets a password
 * (ending that user's sessions), or turns off a locked-out user's two-factor sign-in (they
 * sign in with their password and may set it up again). Without --password a strong one is
 * generated and printed.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../../fastify.config.js';
import { connectDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLiveState } from '../live/index.js';
import { passwordSchema } from '../modules/admin/schemas.js';
import { createPasswordHasher } from '../modules/auth/passwords.js';
import { usernameSchema } from '../modules/users/names.js';
import { createUserRepository } from '../modules/users/repository.js';
import { createSiteAudit } from '../modules/audit/log.js';
import { deleteTwoFactor } from '../modules/auth/two-factor/service.js';
import { createEventPublisher } from '../realtime/events.js';
import { CloseCodes } from '../shared/protocol.js';

const usage = 'usage: npm run user -- <create|reset|reset-2fa> <username> [--admin] [--password PASSWORD]';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { admin: { type: 'boolean', default: false }, password: { type: 'string' } },
  allowPositionals: true,
});
const args = z
  .object({ command: z.enum(['create', 'reset', 'reset-2fa']), username: usernameSchema, password: passwordSchema.optional() })
  .safeParse({ command: positionals[0], username: positionals[1], password: values.password });
if (!args.success || positionals.length !== 2) {
  console.error(args.success ? usage : `${args.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}\n${usage}`);
  process.exit(2);
}
const { command, username } = args.data;
const password = args.data.password ?? crypto.randomBytes(15).toString('base64url');

const config = loadConfig(process.env);
const db = connectDatabase(config.database);
const live = createLiveState({ config, db, instanceId: `cli-${process.pid}`, now: Date.now });
try {
  await migrateToLatest(db);
  const users = createUserRepository(db);
  const hasher = createPasswordHasher({ maxConcurrent: 1 });
  const audit = createSiteAudit(db);
  /** From the server's shell: no actor, no address. */
  const entry = (action: 'user_create' | 'password_reset', targetId: number, trx?: Parameters<typeof audit.record>[1]) =>
    audit.record({ actorId: null, targetId, action, ip: null, at: Date.now(), details: { via: 'cli', ...(values.admin ? { admin: true } : {}) } }, trx);
  let user = await users.findByUsername(username);
  if (command === 'reset-2fa') {
    if (!user || user.deleted) throw new Error(`no user ${username}`);
    const had = await db.transaction().execute(async (trx) => {
      const removed = await deleteTwoFactor(trx, user!.id);
      if (removed) await audit.record({ actorId: null, targetId: user!.id, action: '2fa_reset', ip: null, at: Date.now(), details: { via: 'cli' } }, trx);
      return removed;
    });
    console.log(had ? `two-factor sign-in reset for ${username}` : `${username} had no two-factor sign-in`);
  } else if (command === 'create') {
    const hash = await hasher.hash(password);
    if (user) throw new Error(`${username} exists; use "reset"`);
    user = await users.create({ username, displayName: username, passwordHash: hash, permissions: values.admin ? ['admin'] : [], createdAt: Date.now() }, (trx, id) => entry('user_create', id, trx));
  } else {
    if (!user || user.deleted) throw new Error(`no user ${username}`);
    await users.setPasswordHash(user.id, await hasher.hash(password));
    await users.setDisabled(user.id, false);
    if (values.admin) await users.setPermission(user.id, 'admin', true);
    await entry('password_reset', user.id);
    // Old sessions end, on every instance (through Redis when configured).
    await live.sessions.destroyAllForUser(user.id);
    await createEventPublisher(live.bus).control({ type: 'close-user', userId: user.id, code: CloseCodes.sessionGone });
  }
  if (command !== 'reset-2fa') {
    console.log(`${command === 'create' ? 'created' : 'reset'} ${username}${values.admin ? ' (admin)' : ''}`);
    if (!args.data.password) console.log(`password: ${password}`);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await live.close();
  await db.destroy();
}
