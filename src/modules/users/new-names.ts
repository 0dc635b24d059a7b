import { AppError } from '../../errors.js';
import { lookalikeNameError, reservedNameError } from './name-errors.js';
import { skeletonsOf } from './name-skeletons.js';
import type { UserRepository } from './repository.js';
import { isProtectedName } from './skeleton.js';

/**
 * A new account's names (admin-created or signed up): nobody may look like a reserved name or
 * like another user (by username or display name), and no live or disabled account may hold the
 * username in any case. The skeleton table's primary key enforces the lookalike rule under races;
 * this names the field.
 */
export async function assertNewNamesFree(users: UserRepository, username: string, displayName: string): Promise<void> {
  const fields = [
    { field: 'username', name: username },
    { field: 'display_name', name: displayName },
  ];
  for (const { field, name } of fields) {
    if (isProtectedName(name)) throw reservedNameError(field);
  }
  if (await users.findByUsername(username)) throw nameTaken();
  const held = await users.heldSkeletons(skeletonsOf([username, displayName]));
  for (const { field, name } of fields) {
    if (skeletonsOf([name]).some((k) => held.has(k))) throw lookalikeNameError(field);
  }
}

export const nameTaken = () => new AppError('conflict', 'That username is taken', 'name.taken', 'username');
