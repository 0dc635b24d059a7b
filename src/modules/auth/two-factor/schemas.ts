import { z } from 'zod';

/** A second-factor code: six digits, or a recovery code (16 characters with dashes or spaces). */
export const codeSchema = z.string().trim().min(1).max(64);

/** POST /login/2fa, /login/2fa/setup, /account/2fa: the code. */
export const codeFormSchema = z.strictObject({ code: codeSchema, _csrf: z.string() });

/** POST /account/2fa/disable: the current password and a code. */
export const disableFormSchema = z.strictObject({ current: z.string().max(1024), code: codeSchema, _csrf: z.string() });
