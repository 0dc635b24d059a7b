import type { PasswordHasher } from './passwords.js';
import type { User, UserRepository } from '../users/repository.js';

export function createAuthService(deps: { users: UserRepository; hasher: PasswordHasher }) {
  return {
    /** The user, or null for any failure: callers show one generic message whatever the cause. */
    async authenticate(username: string, password: string): Promise<User | null> {
      const creds = await deps.users.findCredentials(username);
      const ok = await deps.hasher.verify(creds?.passwordHash, password);
      if (!ok || !creds) return null;
      const user = await deps.users.findById(creds.id);
      if (!user || user.disabled) return null;
      if (deps.hasher.needsRehash(creds.passwordHash)) {
        await deps.users.setPasswordHash(user.id, await deps.hasher.hash(password), { rehash: true });
      }
      return user;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
