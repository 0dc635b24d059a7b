import { z } from 'zod';

/** A user's own event channel: `unread` frames for every socket of theirs, on every instance. */
export const userChannel = (userId: number) => `user:${userId}`;

/** What the user channel carries (UnreadFrame), checked on receipt like every bus message. */
export const userEventSchema = z.object({
  type: z.literal('unread'),
  room: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  mentions: z.number().int().nonnegative(),
});
