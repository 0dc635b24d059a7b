import type { LiveState } from '../../live/ports.js';
import type { ChatMessage, RoomId, RoomPreview, UnreadFrame } from '../../shared/protocol.js';
import type { Room } from '../rooms/repository.js';
import { userChannel } from './channels.js';
import type { ReadMarkers } from './markers.js';
import { markdownText } from '../../../public/js/shared/markdown.js';

/** Rooms of one user shown with counts on the room list, at most (newest activity first). */
export const MY_ROOMS_MAX = 100;
const PREVIEW_CHARS = 120;

/** A room the user is a member of, as the room list shows it. */
export interface RoomSummary {
  room: Room;
  count: number;
  mentions: number;
  /** Time of the newest message (ms), or null when the room has none. */
  lastTs: number | null;
  preview: RoomPreview | null;
}

/** One line of a message: whitespace folded, cut at PREVIEW_CHARS. */
export const previewLine = (body: string) => {
  const line = body.replace(/\s+/gu, ' ').trim();
  const chars = [...line];
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : line;
};

/** A message as the room list shows it: its text without Markdown (mentions as @name), on one line. */
export const roomPreview = (m: Pick<ChatMessage, 'ts' | 'user' | 'body' | 'mentions' | 'here'>): RoomPreview => ({
  ts: m.ts,
  user: { id: m.user.id, name: m.user.name },
  text: previewLine(markdownText(m.body, { mentions: m.mentions, here: m.here })),
});

/** Read markers and unread counts (docs/architecture.md, Unread). */
export function createUnreadService(deps: { live: LiveState; markers: ReadMarkers; getRoom: (id: RoomId) => Promise<Room> }) {
  const { live, markers } = deps;

  async function newestId(room: RoomId): Promise<number> {
    const { messages } = await live.messages.page(room, { limit: 1 });
    return messages[0]?.id ?? 0;
  }

  return {
    lastRead: (userId: number, room: RoomId) => markers.get(userId, room),
    isMember: (room: RoomId, userId: number) => live.membership.isMember(room, userId),
    /** The user sent this message: it is not unread for them. */
    sent: (userId: number, room: RoomId, id: number) => markers.advance(userId, room, id),
    newestId,

    /**
     * Moves the user's marker forward to `id` (already clamped to what they can have read) and
     * tells all their sockets, on every instance, the room's new counts. A marker that would not
     * move changes and sends nothing.
     */
    async markRead(userId: number, room: RoomId, id: number): Promise<UnreadFrame | undefined> {
      const current = await markers.get(userId, room);
      if (id <= current) return undefined;
      markers.advance(userId, room, id);
      const [count, mentions] = await Promise.all([live.unread.countAfter(room, id), live.mentions.count(room, userId, id)]);
      // A later read moved it further meanwhile: its counts go out instead of these older ones.
      if (markers.moved(userId, room) > id) return undefined;
      const frame: UnreadFrame = { type: 'unread', room, count, mentions };
      await live.bus.publish(userChannel(userId), JSON.stringify(frame));
      return frame;
    },

    /** The user's rooms with counts, newest activity first (rooms without messages by creation time). */
    async summaries(userId: number): Promise<RoomSummary[]> {
      const ids = (await live.membership.roomsOf(userId)).slice(0, MY_ROOMS_MAX);
      const marks = await markers.getMany(userId, ids);
      const rows = await Promise.all(
        ids.map(async (id): Promise<RoomSummary | undefined> => {
          const after = marks.get(id) ?? 0;
          const [room, page, count, mentions] = await Promise.all([
            deps.getRoom(id).catch(() => undefined),
            live.messages.page(id, { limit: 1 }),
            live.unread.countAfter(id, after),
            live.mentions.count(id, userId, after),
          ]);
          if (!room) return undefined;
          const last = page.messages[0];
          return { room, count, mentions, lastTs: last?.ts ?? null, preview: last ? roomPreview(last) : null };
        }),
      );
      const found = rows.filter((r): r is RoomSummary => r !== undefined);
      return found.sort((a, b) => (b.lastTs ?? b.room.createdAt) - (a.lastTs ?? a.room.createdAt) || a.room.id - b.room.id);
    },
  };
}

export type UnreadService = ReturnType<typeof createUnreadService>;
