import type { FastifyBaseLogger } from 'fastify';
import type { MessageService } from '../modules/messages/service.js';
import type { UnreadService } from '../modules/unread/service.js';
import type { UnreadWatch } from './unread-watch.js';
import type { RoomService } from '../modules/rooms/service.js';
import type { Metrics } from '../observability/metrics.js';
import type { Hub } from './hub.js';

/** What frame handlers may use. */
export interface RealtimeContext {
  rooms: RoomService;
  messages: MessageService;
  hub: Hub;
  log: FastifyBaseLogger;
  now: () => number;
  metrics: Pick<Metrics, 'sendErrors'>;
  unread: UnreadService;
  unreadWatch: UnreadWatch;
}
