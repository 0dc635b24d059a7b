import { z } from 'zod';
import { freeTextSchema } from '../../util/text.js';
import { AUDIT_ACTIONS } from './audit.js';

/** A form field holding a whole number 1..max; empty or absent: undefined. */
const optionalInt = (max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const n = Number(s);
      if (!Number.isSafeInteger(n) || n < 1 || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from 1 to ${max}`, params: { key: 'mod.err.number', max } });
        return z.NEVER;
      }
      return n;
    });

/** POST /rooms/:id/moderation. The target is `username` (the documented field) or `userId`. */
export const moderationFormSchema = z
  .strictObject({
    action: z.enum(['mute', 'unmute', 'kick', 'ban', 'unban', 'delete']),
    username: z.string().trim().max(64).optional(),
    userId: optionalInt(2 ** 31 - 1),
    messageId: optionalInt(Number.MAX_SAFE_INTEGER),
    /** Empty: mute until lifted; kick for the default 5 minutes. At most 10 years. */
    minutes: optionalInt(10 * 365 * 24 * 60),
    reason: freeTextSchema(500).default(''),
    next: z.string().max(2000).optional(),
    _csrf: z.string(),
  })
  .refine((f) => (f.action === 'delete' ? f.messageId !== undefined : !!f.username || f.userId !== undefined), {
    message: 'name the user (username) or, to delete, the message (messageId)',
    params: { key: 'mod.err.target' },
  });
export type ModerationForm = z.infer<typeof moderationFormSchema>;

export const auditQuerySchema = z.strictObject({
  action: z.enum(AUDIT_ACTIONS).or(z.literal('')).optional(),
  user: z.string().trim().max(64).optional(),
  before: z.coerce.number().int().positive().optional(),
  /** Set by the redirect after a no-JS action or a settings change: shows the "done" notice. */
  done: z.literal('1').optional(),
});
