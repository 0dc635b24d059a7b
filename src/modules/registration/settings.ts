import type { Db } from '../../db/connect.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../errors.js';
import type { Origin, SiteAudit } from '../audit/log.js';
import type { User } from '../users/repository.js';

export const REGISTRATION_MODES = ['closed', 'invite', 'open'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

const isMode = (v: string | undefined): v is RegistrationMode => (REGISTRATION_MODES as readonly string[]).includes(v ?? '');

/**
 * Site settings stored in the database (`site_settings`), changed by admins on /admin/settings.
 * Read fresh at each use (one primary-key read, on the pages that need it), so a change holds on
 * every instance at once with nothing to invalidate. Before an admin stores one, REGISTRATION.
 */
export function createSiteSettings(deps: { db: Db; audit: SiteAudit; defaults: { registration: RegistrationMode }; now: () => number }) {
  const { db } = deps;

  async function registration(ex = db): Promise<RegistrationMode> {
    const row = await ex.selectFrom('site_settings').select('value').where('name', '=', 'registration').executeTakeFirst();
    return isMode(row?.value) ? row.value : deps.defaults.registration;
  }

  /** `require_admin_2fa`: '1' when admins must use two-factor sign-in (off until stored). */
  async function requireAdmin2fa(ex = db): Promise<boolean> {
    const row = await ex.selectFrom('site_settings').select('value').where('name', '=', 'require_admin_2fa').executeTakeFirst();
    return row?.value === '1';
  }

  return {
    registration,
    requireAdmin2fa,

    /** Admins only; with its audit entry, in one transaction. Unchanged: nothing written. */
    async setRequireAdmin2fa(actor: User, on: boolean, origin: Origin): Promise<void> {
      if (!actor.permissions.includes('admin')) throw new AppError('forbidden', 'Only admins change site settings');
      await db.transaction().execute(async (trx) => {
        const before = await requireAdmin2fa(trx);
        if (before === on) return;
        const value = on ? '1' : '0';
        const update = () => trx.updateTable('site_settings').set({ value }).where('name', '=', 'require_admin_2fa').execute();
        const stored = await trx.selectFrom('site_settings').select('name').where('name', '=', 'require_admin_2fa').executeTakeFirst();
        if (stored) await update();
        else {
          try {
            await trx.insertInto('site_settings').values({ name: 'require_admin_2fa', value }).execute();
          } catch (err) {
            if (!isUniqueViolation(err)) throw err;
            await update();
          }
        }
        await deps.audit.record(
          { actorId: actor.id, targetId: null, action: 'settings_change', ip: origin.ip, at: deps.now(), details: { setting: 'require_admin_2fa', from: before, to: on } },
          trx,
        );
      });
    },

    /** Admins only; the change and its audit entry are one transaction. Unchanged: nothing written. */
    async setRegistration(actor: User, mode: RegistrationMode, origin: Origin): Promise<void> {
      if (!actor.permissions.includes('admin')) throw new AppError('forbidden', 'Only admins change site settings');
      await db.transaction().execute(async (trx) => {
        const before = await registration(trx);
        if (before === mode) return;
        const update = () => trx.updateTable('site_settings').set({ value: mode }).where('name', '=', 'registration').execute();
        const stored = await trx.selectFrom('site_settings').select('name').where('name', '=', 'registration').executeTakeFirst();
        if (stored) await update();
        else {
          try {
            await trx.insertInto('site_settings').values({ name: 'registration', value: mode }).execute();
          } catch (err) {
            // Another admin stored the first value at the same moment (MySQL: the statement alone fails).
            if (!isUniqueViolation(err)) throw err;
            await update();
          }
        }
        await deps.audit.record(
          { actorId: actor.id, targetId: null, action: 'settings_change', ip: origin.ip, at: deps.now(), details: { setting: 'registration', from: before, to: mode } },
          trx,
        );
      });
    },
  };
}

export type SiteSettings = ReturnType<typeof createSiteSettings>;
