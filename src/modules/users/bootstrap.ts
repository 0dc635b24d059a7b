import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { isUniqueViolation } from '../../db/errors.js';
import type { PasswordHasher } from '../auth/passwords.js';
import type { UserRepository } from './repository.js';

/**
 * Creates the first admin when no user exists. The password is ADMIN_PASSWORD, or generated
 * and printed once (then the admin is asked to change it). Two instances starting together: the loser hits the unique key and skips.
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
      // A printed password is in the logs: the room list asks for a new one until it is changed.
      mustChangePassword: deps.admin.password === undefined,
    });
  } catch (err) {
    if (isUniqueViolation(err)) return;
    throw err;
  }
  if (deps.admin.password) {
    deps.log.info({ username: deps.admin.username }, 'created the first admin from ADMIN_USERNAME/ADMIN_PASSWORD');
  } else {
    // Printed once, on purpose: this is the only way to learn the generated password. Framed, so
    // it stands out among the request lines.
    deps.log.warn(framed(['First admin created (shown only once: change the password after signing in)', `  username: ${deps.admin.username}`, `  password: ${password}`]));
  }
}

/** Lines in a box, on lines of their own. */
export function framed(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '='.repeat(width + 4);
  return ['', rule, ...lines.map((l) => `| ${l.padEnd(width)} |`), rule].join('\n');
}
