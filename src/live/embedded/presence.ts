import type { Presence } from '../ports.js';

/** One process holds every socket, so presence is just this process's memory. */
export function createMemoryPresence(): Presence {
  const rooms = new Map<number, Set<number>>();
  return {
    async connect(room, userId) {
      let users = rooms.get(room);
      if (!users) rooms.set(room, (users = new Set()));
      const came = !users.has(userId);
      users.add(userId);
      return came;
    },
    async disconnect(room, userId) {
      const users = rooms.get(room);
      const went = users?.delete(userId) ?? false;
      if (users?.size === 0) rooms.delete(room);
      return went;
    },
    async refresh() {},
    async online(room) {
      return [...(rooms.get(room) ?? [])];
    },
  };
}
