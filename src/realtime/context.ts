import type { FastifyBaseLogger } from 'fastify';
import type { MessageService } from '../modules/messages/service.js';
import type { UnreadService } from '../modules/unread/service.js';
import type { UnreadWatch } from './unread-watch.js';
import type { RoomService } from '../modules/rooms/service.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventPublisher } from './events.js';
import type { Hub } from './hub.js';
import type { TypingGate } from './handlers/typing.js';
import type { ReadGate } from './handlers/read.js';

/** What frame handlers may use. */
export interface RealtimeContext {
  rooms: RoomService;
  messages: MessageService;
  hub: Hub;
  log: FastifyBaseLogger;
  now: () => number;
  metrics: Pick<Metrics, 'sendErrors'>;
  /** Room events that are not stored (typing). */
  events: Pick<EventPublisher, 'ephemeral'>;
  /** Typing notices let through, per user and room (handlers/typing.ts). */
  typing: TypingGate;
  /** `read` frames let through, per user (handlers/read.ts). */
  reads: ReadGate;
  unread: UnreadService;
  unreadWatch: UnreadWatch;
}
