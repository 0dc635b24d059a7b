import type { LiveState, Page, PageQuery } from '../../live/ports.js';
import type { Activity } from '../../observability/activity.js';
import type { Metrics } from '../../observability/metrics.js';
import type { EventPublisher } from '../../realtime/events.js';
import type { ChatMessage } from '../../shared/protocol.js';
import type { RoomAccess } from '../moderation/access.js';
import type { Room } from '../rooms/repository.js';
import type { User, UserRepository } from '../users/repository.js';

export function createMessageService(deps: {
  live: LiveState;
  access: RoomAccess;
  users: Pick<UserRepository, 'refs'>;
  events: EventPublisher;
  now: () => number;
  log: { warn(obj: object, msg: string): void };
  metrics: Pick<Metrics, 'messagesAccepted'>;
  activity: Pick<Activity, 'message'>;
}) {
  async function publishWithRetry(message: ChatMessage): Promise<void> {
    // Stored already: a failed publish is retried, and clients repair any gap by id anyway.
    for (let attempt = 1; ; attempt++) {
      try {
        return await deps.events.toRoom(message.room, { type: 'message', ...message });
      } catch (err) {
        if (attempt >= 3) {
          deps.log.warn({ err, room: message.room, id: message.id }, 'publish failed; clients will gap-fill');
          return;
        }
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  return {
    /**
     * Stores the message (or finds the copy stored under the same clientId) and fans it out.
     * A duplicate is published again: if the first publish was lost, this repairs it, and
     * clients drop ids they already have.
     */
    async post(room: Room, user: User, clientId: string, body: string): Promise<ChatMessage> {
      // Checked here, at the moment of sending, on every path (websocket and form).
      await deps.access.assertCanSend(room, user);
      const { message, duplicate } = await deps.live.messages.append({
        room: room.id,
        user: { id: user.id, name: user.displayName },
        body,
        clientId,
        ts: deps.now(),
      });
      if (!duplicate) {
        deps.metrics.messagesAccepted.inc();
        deps.activity.message(room.id);
      }
      await publishWithRetry(message);
      return message;
    },

    /** A page of history with authors' current names (a deleted account shows as a deleted user). */
    async history(room: number, query: PageQuery): Promise<Page> {
      const page = await deps.live.messages.page(room, query);
      const names = new Map((await deps.users.refs([...new Set(page.messages.map((m) => m.user.id))])).map((r) => [r.id, r.name]));
      for (const m of page.messages) m.user = { id: m.user.id, name: names.get(m.user.id) ?? m.user.name };
      return page;
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
