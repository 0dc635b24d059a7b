/** Creates a user directly in a test's database, for tests whose app runs in other processes. */
import { loadConfig } from '../../fastify.config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { createPasswordHasher } from '../../src/modules/auth/passwords.js';
import type { Permission } from '../../src/modules/users/permissions.js';
import { createUserRepository } from '../../src/modules/users/repository.js';
import type { Storage } from './app.js';

export async function createUser(storage: Storage, username: string, password: string, permissions: Permission[] = []) {
  const db = connectDatabase(loadConfig(storage.env).database);
  try {
    const hasher = createPasswordHasher({ maxConcurrent: 1 });
    return await createUserRepository(db).create({ username, displayName: username, passwordHash: await hasher.hash(password), permissions, createdAt: Date.now() });
  } finally {
    await db.destroy();
  }
}
