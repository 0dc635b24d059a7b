/**
 * Every Redis key and channel hihi uses. A room's keys share the hash tag {r:ID} so they sit in
 * one Redis Cluster slot and a Lua script may touch them together.
 */
export function redisKeys(prefix: string) {
  const room = (id: number) => `${prefix}{r:${id}}`;
  const roomChannelKey = (id: number) => `${room(id)}:ch`;
  return {
    messages: (id: number) => `${room(id)}:msgs`,
    seq: (id: number) => `${room(id)}:seq`,
    clientIds: (id: number) => `${room(id)}:cids`,
    /** Deleted messages' idempotency fields (message id → `user:clientId`), dropped with their change. */
    deletedClientIds: (id: number) => `${room(id)}:gonecids`,
    /** Edits and deletions, each its frame, scored by its seq (from the room's message counter). */
    changes: (id: number) => `${room(id)}:changes`,
    members: (id: number) => `${room(id)}:members`,
    online: (id: number) => `${room(id)}:online`,
    onlineCount: (id: number) => `${room(id)}:onlinen`,
    restrictions: (id: number) => `${room(id)}:restr`,
    /** Ids of the room's messages that mention a user, and the users that have such a set. */
    mentions: (id: number, userId: number) => `${room(id)}:men:${userId}`,
    mentioned: (id: number) => `${room(id)}:menu`,
    /** The rooms a user is a member of (the reverse of each room's members set). */
    userRooms: (userId: number) => `${prefix}{u:${userId}}:rooms`,
    /** Ending restrictions of all rooms, scored by end time, for the expiry job. */
    restrictionEnds: `${prefix}restr-ends`,
    lock: (name: string) => `${prefix}lock:${name}`,
    counter: (name: string) => `${prefix}count:${name}`,
    session: (sid: string) => `${prefix}sess:${sid}`,
    userSessions: (uid: number) => `${prefix}usess:${uid}`,
    /**
     * A bus channel. A room's channel carries the room's hash tag: the append script publishes
     * on it, and on a cluster a script's sharded publish must stay in the slot of its keys.
     */
    channel: (name: string) => {
      const roomId = /^room:(\d+)$/.exec(name)?.[1];
      return roomId === undefined ? `${prefix}ch:${name}` : roomChannelKey(Number(roomId));
    },
    /** The same for a room by id, without a bus name to parse (the append script's, per message). */
    roomChannel: roomChannelKey,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
