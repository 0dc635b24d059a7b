import { z } from 'zod';
import { freeTextSchema } from '../../util/text.js';
import { nameSchema } from '../users/names.js';

export const roomIdSchema = z.coerce.number().int().positive().max(2 ** 31 - 1);
export const roomParamsSchema = z.strictObject({ id: roomIdSchema });

/** Room list: a name filter and a keyset cursor (a room's name key) in either direction. */
export const roomListQuerySchema = z
  .strictObject({
    q: z.string().trim().max(64).optional().transform((s) => s || undefined),
    after: z.string().min(1).max(256).optional(),
    before: z.string().min(1).max(256).optional(),
  })
  .refine((v) => v.after === undefined || v.before === undefined, 'after and before exclude each other');

export const createRoomSchema = z.strictObject({
  name: nameSchema(1, 64),
  description: freeTextSchema(500).default(''),
  /** 'private': visible only to its members (docs/moderation.md, Private rooms). */
  visibility: z.enum(['public', 'private']).default('public'),
  _csrf: z.string(),
});

/** POST /rooms/:id/members: add someone to a private room, or remove them. */
export const roomMemberSchema = z.strictObject({
  username: z.string().trim().min(1).max(64),
  action: z.enum(['add', 'remove']),
  _csrf: z.string(),
});

export const roomSettingsSchema = z.strictObject({
  description: freeTextSchema(500),
  _csrf: z.string(),
});

export const archiveSchema = z.strictObject({ archived: z.enum(['0', '1']), _csrf: z.string() });

/** Joining is a form post with nothing but its token: viewing the room changes nothing. */
export const joinRoomSchema = z.strictObject({ _csrf: z.string() });

/** Deleting needs the confirmation box ticked. */
export const deleteRoomSchema = z.strictObject({ confirm: z.literal('yes'), _csrf: z.string() });
