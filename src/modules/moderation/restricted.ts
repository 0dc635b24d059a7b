import type { LiveState } from '../../live/ports.js';
import type { UserRepository } from '../users/repository.js';

/** A restriction in force, as a moderator sees it: a bar with an end is a kick, without one a ban. */
export interface RestrictedMember {
  userId: number;
  name: string;
  kind: 'mute' | 'kick' | 'ban';
  /** Epoch ms; null: until lifted. */
  until: number | null;
}

/** Who is muted, kicked or banned in a room now, with names (the chat page's Restricted section). */
export function createRestrictedList(deps: { live: LiveState; users: Pick<UserRepository, 'refs'>; now: () => number }) {
  return async function restrictedIn(roomId: number): Promise<RestrictedMember[]> {
    const rs = await deps.live.moderation.inRoom(roomId, deps.now());
    if (rs.length === 0) return [];
    const names = new Map((await deps.users.refs([...new Set(rs.map((r) => r.userId))])).map((u) => [u.id, u.name]));
    return rs
      .map((r) => ({
        userId: r.userId,
        name: names.get(r.userId) ?? `#${r.userId}`,
        kind: r.kind === 'mute' ? ('mute' as const) : r.until === null ? ('ban' as const) : ('kick' as const),
        until: r.until,
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
  };
}
