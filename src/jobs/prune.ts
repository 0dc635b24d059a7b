import type { MentionIndex, MessageLog } from '../live/ports.js';
import type { SiteAudit } from '../modules/audit/log.js';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes messages older than the cutoff, room by room, in bounded steps. Each step is one
 * short command; between steps the event loop serves everyone else, so no room stalls.
 */
export async function pruneMessages(deps: {
  messages: MessageLog;
  roomIds: number[];
  cutoffTs: number;
  batch: number;
  /** Mentions in pruned messages are forgotten with them. */
  mentions?: MentionIndex;
  /** Told about each room that lost messages, once its pruning is done. */
  pruned?: (room: number) => Promise<void>;
}): Promise<{ deleted: number; steps: number }> {
  let deleted = 0;
  let steps = 0;
  for (const room of deps.roomIds) {
    let fromRoom = 0;
    for (;;) {
      const n = await deps.messages.prune(room, deps.cutoffTs, deps.batch);
      steps++;
      fromRoom += n;
      await yieldToEventLoop();
      if (n < deps.batch) break;
    }
    deleted += fromRoom;
    if (fromRoom > 0 && deps.mentions) {
      // Everything below the oldest message left was pruned (or deleted before).
      const { messages } = await deps.messages.page(room, { after: 0, limit: 1 });
      await deps.mentions.prune(room, messages[0]?.id ?? Number.MAX_SAFE_INTEGER);
    }
    if (fromRoom > 0) await deps.pruned?.(room);
  }
  return { deleted, steps };
}

/** Deletes site audit entries older than the cutoff (AUDIT_RETENTION_DAYS), in bounded steps like messages. */
export async function pruneAudit(deps: { audit: Pick<SiteAudit, 'prune'>; cutoffTs: number; batch: number }): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = await deps.audit.prune(deps.cutoffTs, deps.batch);
    deleted += n;
    await yieldToEventLoop();
    if (n < deps.batch) return deleted;
  }
}
