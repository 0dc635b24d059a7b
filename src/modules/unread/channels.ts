/** A user's own event channel: `unread` frames for every socket of theirs, on every instance. */
export const userChannel = (userId: number) => `user:${userId}`;
