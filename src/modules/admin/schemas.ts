import { z } from 'zod';
import { isWeakPassword } from '../auth/common-passwords.js';
import { nameSchema, usernameSchema } from '../users/names.js';
import { PERMISSIONS } from '../users/permissions.js';

/**
 * A new password, checked exactly as typed (no trimming or normalising): 8 to 256 characters
 * (OWASP: at least 64 must be accepted), and not one of the passwords attackers try first.
 */
export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters')
  .refine((p) => !isWeakPassword(p), { params: { key: 'password.common' }, message: 'is too common: choose another' });

export const userListQuerySchema = z.strictObject({
  q: z.string().trim().max(64).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export const createUserSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  display_name: z
    .string()
    .optional()
    .transform((s) => (s?.trim() ? s : undefined))
    .pipe(nameSchema(1, 64).optional()),
  _csrf: z.string(),
});

export const userParamsSchema = z.strictObject({ id: z.coerce.number().int().positive().max(2 ** 31 - 1) });

export const userActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('reset_password'), password: passwordSchema, _csrf: z.string() }),
  z.strictObject({ action: z.literal('disable'), _csrf: z.string() }),
  z.strictObject({ action: z.literal('enable'), _csrf: z.string() }),
  z.strictObject({ action: z.literal('end_sessions'), _csrf: z.string() }),
  z.strictObject({ action: z.literal('delete'), confirm: z.literal('yes'), _csrf: z.string() }),
]);

export const permissionFormSchema = z.strictObject({
  username: z.string().trim().min(1).max(64),
  permission: z.enum(PERMISSIONS),
  grant: z.enum(['0', '1']),
  _csrf: z.string(),
});
