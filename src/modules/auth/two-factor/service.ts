import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import QRCode from 'qrcode';
import type { Db } from '../../../db/connect.js';
import type { Database } from '../../../db/schema.js';
import { isUniqueViolation } from '../../../db/errors.js';
import { AppError } from '../../../errors.js';
import type { Origin, SiteAudit } from '../../audit/log.js';
import type { SecretBox } from './secret-box.js';
import { base32Encode, matchStep, newSecret, otpauthUri } from './totp.js';

export const RECOVERY_CODES = 10;

/**
 * Recovery codes: 16 base32 characters (80 random bits) in groups of four. With that much
 * entropy one SHA-256 suffices (no salt or slow hash needed: nothing to guess from the hash),
 * and a hash is looked up directly, so using a code is one conditional DELETE.
 */
function newRecoveryCode(): string {
  return base32Encode(crypto.randomBytes(10)).match(/.{4}/g)!.join('-').toLowerCase();
}
/** What is hashed: case, spaces and dashes as typed do not matter. */
const normalizeRecovery = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');
const hashRecovery = (code: string) => crypto.createHash('sha256').update(normalizeRecovery(code)).digest('hex');
export const looksLikeRecoveryCode = (code: string) => /^[A-Z2-7]{16}$/.test(normalizeRecovery(code));

/** Removes a user's two-factor data (disable; the CLI's reset-2fa, which has no key); true when there was any. */
export async function deleteTwoFactor(ex: Kysely<Database>, userId: number): Promise<boolean> {
  await ex.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
  const r = await ex.deleteFrom('user_totp').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface Enrolment {
  secret: string;
  /** The otpauth URI as an inline SVG data URL, rendered here: no third party sees the secret. */
  qr: string;
}

/**
 * Two-factor sign-in (TOTP, RFC 6238) and recovery codes. State is in SQL only, so every
 * instance agrees; each acceptance is one conditional write, so two instances given the same
 * code at once cannot both accept it.
 */
export function createTwoFactor(deps: { db: Db; box: SecretBox; audit: SiteAudit; now: () => number; issuer: string }) {
  const { db, box } = deps;
  const context = (userId: number) => `totp:${userId}`;

  async function row(userId: number) {
    return db.selectFrom('user_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  return {
    async enabled(userId: number): Promise<boolean> {
      return Number((await row(userId))?.enabled ?? 0) === 1;
    },

    /**
     * The secret awaiting confirmation, created on first call; the same one on a reload, so a
     * code from an app that scanned the first page still confirms it.
     */
    async beginEnrolment(user: { id: number; username: string }): Promise<Enrolment> {
      let r = await row(user.id);
      if (r && Number(r.enabled) === 1) throw new AppError('conflict', 'two-factor already on', 'twofa.alreadyOn');
      if (!r) {
        await db
          .insertInto('user_totp')
          .values({ user_id: user.id, secret_enc: box.seal(newSecret(), context(user.id)), enabled: 0, last_step: 0, created_at: deps.now() })
          .execute()
          .catch((err: unknown) => {
            // Another tab inserted it first: use theirs.
            if (!isUniqueViolation(err)) throw err;
          });
        r = await row(user.id);
        if (!r) throw new Error('enrolment row missing');
      }
      const secret = box.open(r.secret_enc, context(user.id));
      const svg = await QRCode.toString(otpauthUri(deps.issuer, user.username, secret), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return { secret, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
    },

    /**
     * Turns two-factor on when `code` is the pending secret's; returns the recovery codes (shown
     * once), or null for a wrong code.
     */
    async confirmEnrolment(userId: number, code: string, origin: Origin): Promise<string[] | null> {
      const r = await row(userId);
      if (!r) throw new AppError('conflict', 'no enrolment pending', 'twofa.noPending');
      if (Number(r.enabled) === 1) throw new AppError('conflict', 'two-factor already on', 'twofa.alreadyOn');
      const step = matchStep(box.open(r.secret_enc, context(userId)), code, deps.now());
      if (step === undefined) return null;
      const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
      const done = await db.transaction().execute(async (trx) => {
        const u = await trx.updateTable('user_totp').set({ enabled: 1, last_step: step }).where('user_id', '=', userId).where('enabled', '=', 0).executeTakeFirst();
        if (Number(u.numUpdatedRows) !== 1) return false;
        await trx.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
        await trx.insertInto('user_recovery_codes').values(codes.map((c) => ({ user_id: userId, code_hash: hashRecovery(c) }))).execute();
        await deps.audit.record({ actorId: userId, targetId: userId, action: '2fa_enable', ip: origin.ip, at: deps.now() }, trx);
        return true;
      });
      if (!done) throw new AppError('conflict', 'two-factor already on', 'twofa.alreadyOn');
      return codes;
    },

    /**
     * Checks a second factor: a TOTP code not used before (its time step must be later than the
     * last accepted one; the update is conditional, so of two instances only one accepts it), or
     * an unused recovery code (deleted as it is accepted).
     */
    async verify(userId: number, code: string): Promise<'totp' | 'recovery' | null> {
      const trimmed = code.replace(/\s/g, '');
      if (/^\d{6}$/.test(trimmed)) {
        const r = await row(userId);
        if (!r || Number(r.enabled) !== 1) return null;
        const step = matchStep(box.open(r.secret_enc, context(userId)), trimmed, deps.now());
        if (step === undefined) return null;
        const u = await db.updateTable('user_totp').set({ last_step: step }).where('user_id', '=', userId).where('last_step', '<', step).executeTakeFirst();
        return Number(u.numUpdatedRows) === 1 ? 'totp' : null;
      }
      if (!looksLikeRecoveryCode(trimmed)) return null;
      const d = await db.deleteFrom('user_recovery_codes').where('user_id', '=', userId).where('code_hash', '=', hashRecovery(trimmed)).executeTakeFirst();
      return Number(d.numDeletedRows) === 1 ? 'recovery' : null;
    },

    async remainingRecoveryCodes(userId: number): Promise<number> {
      const r = await db.selectFrom('user_recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirst();
      return Number(r?.n ?? 0);
    },

    /**
     * A digest of what the two sign-in steps check, as stored now: the password hash and an
     * enabled second factor's secret. A pending second step keeps the one of its password step:
     * a password changed since (account page, admin, command line) or a second factor turned
     * off, reset or set up anew voids it (two-factor/routes.ts), on every instance and process.
     */
    async credentialStamp(userId: number): Promise<string> {
      const [u, t] = await Promise.all([
        db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst(),
        db.selectFrom('user_totp').select(['secret_enc', 'enabled']).where('user_id', '=', userId).executeTakeFirst(),
      ]);
      const factor = t && Number(t.enabled) === 1 ? t.secret_enc : '';
      return crypto.createHash('sha256').update(`${u?.password_hash ?? ''}\n${factor}`).digest('base64url').slice(0, 22);
    },

    /** Turns two-factor off (the caller checked the password and a code); audited. */
    async disable(userId: number, origin: Origin): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const had = await deleteTwoFactor(trx, userId);
        if (had) await deps.audit.record({ actorId: userId, targetId: userId, action: '2fa_disable', ip: origin.ip, at: deps.now() }, trx);
        return had;
      });
    },
  };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;
