import type { EventPublisher } from '../../realtime/events.js';
import { lookalikeNameError, reservedNameError } from './name-errors.js';
import { skeletonsOf } from './name-skeletons.js';
import type { LocaleChoice } from './preferences.js';
import type { User, UserRepository, UserSettings } from './repository.js';
import { isProtectedName } from './skeleton.js';

/**
 * A user's own settings (the account page, the language switch). A display name follows the
 * rules of every name (names.ts, checked by the form's schema) and may not look like a reserved
 * name, unless it looks like their own username, nor like another user's name.
 */
export function createAccountSettings(deps: { users: UserRepository; events: EventPublisher }) {
  const { users, events } = deps;
  const looksLike = (a: string, b: string) => skeletonsOf([a]).every((k) => skeletonsOf([b]).includes(k));

  return {
    async save(user: User, settings: UserSettings): Promise<void> {
      const renamed = settings.displayName !== user.displayName;
      if (renamed && isProtectedName(settings.displayName) && !looksLike(settings.displayName, user.username)) {
        throw reservedNameError('display_name');
      }
      if ((await users.updateSettings(user, settings)) === 'lookalike') throw lookalikeNameError('display_name');
      // Every instance drops what it kept of the user (name caches, room views); their open
      // sockets take the new name for the messages they send next.
      await events.control({ type: 'user-changed', userId: user.id, ...(renamed ? { name: settings.displayName } : {}) });
    },

    async setLocale(user: User, locale: LocaleChoice): Promise<void> {
      if (user.locale === locale) return;
      await users.setLocale(user.id, locale);
      await events.control({ type: 'user-changed', userId: user.id });
    },
  };
}

export type AccountSettings = ReturnType<typeof createAccountSettings>;
