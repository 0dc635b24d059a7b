import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { LiveState } from '../ports.js';
import { createMemoryCounters } from './counters.js';
import { createMemoryEventBus } from './event-bus.js';
import { createSqlMembership } from './membership.js';
import { createMemoryLocks } from './locks.js';
import { createSqlMessageLog } from './message-log.js';
import { createSqlModerationState } from './moderation.js';
import { createMemoryPresence } from './presence.js';
import { createSqlSessionStore } from './session-store.js';
import { createSqlMentionIndex, createSqlUnreadIndex } from './unread.js';

/** Live state for a single instance: SQL tables on the app's own database plus in-process pub/sub. */
export function createEmbeddedLiveState(deps: { db: Db; now: () => number }): LiveState {
  const bus = createMemoryEventBus();
  return {
    kind: 'embedded',
    messages: createSqlMessageLog(deps.db, bus),
    membership: createSqlMembership(deps.db, deps.now),
    presence: createMemoryPresence(),
    bus,
    sessions: createSqlSessionStore(deps.db, deps.now),
    moderation: createSqlModerationState(deps.db),
    locks: createMemoryLocks(deps.now),
    counters: createMemoryCounters(deps.now),
    unread: createSqlUnreadIndex(deps.db),
    mentions: createSqlMentionIndex(deps.db),
    async ping() {
      await sql`select 1`.execute(deps.db);
    },
    async close() {},
  };
}
