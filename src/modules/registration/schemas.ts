import { z } from 'zod';
import { passwordSchema } from '../admin/schemas.js';
import { usernameSchema } from '../users/names.js';
import { PERMISSIONS } from '../users/permissions.js';
import { SITE_ACTIONS } from '../audit/log.js';
import { REGISTRATION_MODES } from './settings.js';

/** An invite token as issued (invites.ts): 32 bytes, base64url. Anything else is no invite. */
export const inviteTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not an invite');

export const inviteParamsSchema = z.strictObject({ token: z.string().max(200) });

export const registerSchema = z
  .strictObject({
    username: usernameSchema,
    password: passwordSchema,
    password2: z.string().max(1024),
    invite: inviteTokenSchema.optional(),
    _csrf: z.string(),
  })
  .refine((f) => f.password === f.password2, { path: ['password2'], params: { key: 'register.mismatch' }, message: 'does not match the password' });

export const settingsFormSchema = z.strictObject({
  registration: z.enum(REGISTRATION_MODES),
  /** A checkbox: absent when unticked. */
  require_admin_2fa: z.literal('1').optional(),
  _csrf: z.string(),
});

/** A repeated form field arrives as an array, a single one as a string. */
const many = <T extends z.ZodType>(item: T) =>
  z
    .union([item, z.array(item).max(100)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

export const inviteFormSchema = z.strictObject({
  uses: z.coerce.number().int().min(1).max(1000),
  expiresHours: z.coerce.number().int().min(1).max(24 * 90),
  permission: many(z.enum(PERMISSIONS)),
  room: many(z.coerce.number().int().positive().max(2 ** 31 - 1)),
  _csrf: z.string(),
});

/** POST /rooms/:id/invites: a room invite's terms, as an admin's invite has them (it grants the room only). */
export const roomInviteFormSchema = inviteFormSchema.pick({ uses: true, expiresHours: true, _csrf: true });

export const csrfOnlySchema = z.strictObject({ _csrf: z.string() });

export const inviteIdParamsSchema = z.strictObject({ id: z.coerce.number().int().positive().max(2 ** 31 - 1) });

/** POST /rooms/:id/invites/:invite/revoke. */
export const roomInviteParamsSchema = z.strictObject({ id: inviteIdParamsSchema.shape.id, invite: inviteIdParamsSchema.shape.id });

const optionalText = z
  .string()
  .trim()
  .max(64)
  .optional()
  .transform((s) => (s ? s : undefined));
/** A day as the date input sends it (YYYY-MM-DD, read as UTC). */
const optionalDay = z
  .union([z.literal(''), z.iso.date()])
  .optional()
  .transform((s) => (s ? s : undefined));

export const auditQuerySchema = z.strictObject({
  actor: optionalText,
  target: optionalText,
  action: z
    .union([z.literal(''), z.enum(SITE_ACTIONS)])
    .optional()
    .transform((s) => (s ? s : undefined)),
  from: optionalDay,
  to: optionalDay,
  before: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
});
