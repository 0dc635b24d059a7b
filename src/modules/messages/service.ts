import { storedAuthor } from '../../live/message-json.js';
import type { LiveState, Page, PageQuery } from '../../live/ports.js';
import type { Activity } from '../../observability/activity.js';
import type { Metrics } from '../../observability/metrics.js';
import type { EventPublisher } from '../../realtime/events.js';
import type { ChatMessage } from '../../shared/protocol.js';
import type { UserLimit } from '../limits/user-limit.js';
import type { RoomAccess } from '../moderation/access.js';
import { canModerate } from '../moderation/roles.js';
import { serializeStoredPage, storedMentionIds, withCurrentName } from './history-json.js';
import { resolveMentions } from './mentions.js';
import type { Room } from '../rooms/repository.js';
import type { User, UserRepository } from '../users/repository.js';

export function createMessageService(deps: {
  live: LiveState;
  access: RoomAccess;
  /** SEND_RATE_PER_10S, per user: every socket, the form and every instance share it. */
  sendLimit: UserLimit;
  users: Pick<UserRepository, 'refs' | 'refsByUsernames'>;
  events: EventPublisher;
  now: () => number;
  metrics: Pick<Metrics, 'messagesAccepted'>;
  activity: Pick<Activity, 'message'>;
  /**
   * Told of each newly stored message's mentioned users: those named, and for an accepted
   * `@here` everyone online in the room (the sender left out). The one place mention counts
   * and notifications hook in (e.g. the unread index's recordMentions).
   */
  onMentions?: (room: number, messageId: number, userIds: number[]) => void;
}) {
  const currentNames = async (ids: number[]) => new Map((await deps.users.refs([...new Set(ids)])).map((r) => [r.id, r.name]));

  /** A page of history with authors' current names (a deleted account shows as a deleted user). */
  async function history(room: number, query: PageQuery): Promise<Page> {
    const page = await deps.live.messages.page(room, query);
    const names = await currentNames(page.messages.flatMap((m) => [m.user.id, ...(m.mentions ?? []).map((r) => r.id)]));
    for (const m of page.messages) withCurrentName(m, names);
    return page;
  }

  return {
    /**
     * Stores the message (or finds the copy stored under the same clientId); the append
     * publishes it (live/ports.ts). A duplicate is not published again: its first publish went
     * out with the append, and a socket that missed it gets it by repair or `since`.
     */
    async post(room: Room, user: User, clientId: string, body: string): Promise<ChatMessage> {
      // Checked here, at the moment of sending, on every path (websocket and form). The two reads
      // go out together (on Redis in one write), so the shared limit adds no round trip.
      await Promise.all([deps.sendLimit.take(user.id), deps.access.assertCanSend(room, user)]);
      const resolved = await resolveMentions(body, {
        byUsernames: (names) => deps.users.refsByUsernames(names),
        byIds: (ids) => deps.users.refs(ids),
        isMember: (id) => deps.live.membership.isMember(room.id, id),
      });
      // `@here` is a moderator's call; from anyone else it stays plain text.
      const here = resolved.here && canModerate(user, room);
      const { message, duplicate } = await deps.live.messages.append({
        room: room.id,
        user: { id: user.id, name: user.displayName },
        body: resolved.body,
        clientId,
        ts: deps.now(),
        ...(resolved.mentions.length ? { mentions: resolved.mentions } : {}),
        ...(here ? { here: true as const } : {}),
      });
      if (!duplicate) {
        deps.metrics.messagesAccepted.inc();
        deps.activity.message(room.id);
        if (deps.onMentions && (message.mentions || message.here)) {
          const online = message.here ? await deps.live.presence.online(room.id) : [];
          const ids = new Set([...(message.mentions ?? []).map((u) => u.id), ...online]);
          ids.delete(user.id);
          if (ids.size) deps.onMentions(room.id, message.id, [...ids]);
        }
      }
      deps.events.sent(room.id);
      return message;
    },

    history,

    /**
     * The page `history` gives, as the bytes `JSON.stringify` makes of it; where the log keeps
     * messages as JSON they are passed through rather than parsed and written again.
     */
    async historyJson(room: number, query: PageQuery): Promise<Buffer> {
      const stored = await deps.live.messages.pageJson?.(room, query);
      if (!stored) return Buffer.from(JSON.stringify(await history(room, query)));
      const authors = stored.items.map(storedAuthor);
      const ids = [...authors.flatMap((a) => (a ? [a.id] : [])), ...stored.items.flatMap(storedMentionIds)];
      return serializeStoredPage(room, stored, authors, await currentNames(ids));
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
