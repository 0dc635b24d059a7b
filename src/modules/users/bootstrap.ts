import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { isUniqueViolation } from '../../db/errors.js';
import type { PasswordHasher } from '../auth/passwords.js';
import type { UserRepository } from './repository.js';

/**
 * Creates the first admin when no user exists. The password is ADMIN_PASSWORD, or generated
 * and printed once. Two instances starting together: the loser hits the unique key and skips.
 */
export async function ensureFirstAdmin(deps: {
  users: UserRepository;
  hasher: PasswordHasher;
  admin: { username: string; password: string | undefined };
  log: FastifyBaseLogger;
  now: () => number;
}): Promise<void> {
  if ((await deps.users.count()) > 0) return;
  const password = deps.admin.password ?? crypto.randomBytes(15).toString('base64url');
  try {
    await deps.users.create({
      username: deps.admin.username,
      displayName: deps.admin.username,
      passwordHash: await deps.hasher.hash(password),
      permissions: ['admin'],
      createdAt: deps.now(),
    });
  } catch (err) {
    if (isUniqueViolation(err)) return;
    throw err;
  }
  if (deps.admin.password) {
    deps.log.info({ username: deps.admin.username }, 'created the first admin from ADMIN_USERNAME/ADMIN_PASSWORD');
  } else {
    // Printed once, on purpose: this is the only way to learn the generated password.
    deps.log.warn(`first admin created: username "${deps.admin.username}", password "${password}" (shown only once: change it after signing in)`);
  }
}
