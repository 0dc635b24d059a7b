import cron, { type ScheduledTask } from 'node-cron';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../fastify.config.js';
import type { Locks, MentionIndex, MessageLog } from '../live/ports.js';
import type { Metrics } from '../observability/metrics.js';
import type { ModerationService } from '../modules/moderation/service.js';
import type { SiteAudit } from '../modules/audit/log.js';
import type { RoomRepository } from '../modules/rooms/repository.js';
import type { EventPublisher } from '../realtime/events.js';
import { pruneAudit, pruneMessages } from './prune.js';

/**
 * Scheduled work. Every instance schedules it. Each scheduled tick is claimed once across all
 * instances (a lock named after the tick, left to expire), a second lock keeps runs of one job
 * from overlapping, and every step is also safe to repeat (takeExpired hands each item to one
 * caller; pruning an already-pruned range deletes nothing).
 */
export function createJobs(deps: {
  config: Config;
  locks: Locks;
  messages: MessageLog;
  mentions?: MentionIndex;
  rooms: RoomRepository;
  moderation: ModerationService;
  siteAudit: SiteAudit;
  events: EventPublisher;
  log: FastifyBaseLogger;
  now: () => number;
  metrics: Pick<Metrics, 'pruneRuns' | 'pruned'>;
}) {
  const { config, locks, log } = deps;
  const tasks: ScheduledTask[] = [];

  async function exclusive<T>(name: string, ttlMs: number, fn: () => Promise<T>): Promise<T | undefined> {
    const release = await locks.acquire(`job:${name}`, ttlMs);
    if (!release) {
      log.debug({ job: name }, 'job running elsewhere; skipped');
      return undefined;
    }
    try {
      return await fn();
    } finally {
      await release();
    }
  }

  const jobs = {
    /** Deletes messages older than RETENTION_DAYS. `tick`: the schedule slot, for the log. */
    prune: (tick?: Date) =>
      exclusive('prune', 15 * 60_000, async () => {
        const started = Date.now();
        const roomIds = (await deps.rooms.list()).map((r) => r.id);
        const result = await pruneMessages({
          messages: deps.messages,
          ...(deps.mentions ? { mentions: deps.mentions } : {}),
          roomIds,
          cutoffTs: deps.now() - config.retentionMs,
          batch: config.pruneBatch,
          // Pages kept on every instance may show what was pruned.
          pruned: (room) => deps.events.control({ type: 'room-changed', room }),
        });
        deps.metrics.pruneRuns.inc();
        deps.metrics.pruned.inc(result.deleted);
        const audit = await pruneAudit({ audit: deps.siteAudit, cutoffTs: deps.now() - config.auditRetentionMs, batch: config.pruneBatch });
        log.info({ job: 'prune', tick: tick?.getTime(), ...result, auditDeleted: audit, ms: Date.now() - started }, 'pruned old messages');
        return { ...result, auditDeleted: audit };
      }),
    /** Lifts mutes and kicks that ended and tells their rooms. */
    liftExpired: () =>
      exclusive('lift-expired', 60_000, async () => {
        const lifted = await deps.moderation.liftExpired();
        if (lifted) log.info({ job: 'lift-expired', lifted }, 'lifted ended restrictions');
        return lifted;
      }),
    /** Brings live moderation state back in line with the audit log. */
    reconcile: () =>
      exclusive('reconcile', 5 * 60_000, async () => {
        const r = await deps.moderation.reconcile();
        if (r.restored || r.cleared) log.warn({ job: 'reconcile', ...r }, 'live moderation state repaired from the audit log');
        return r;
      }),
  };

  /** A cron callback: claims this tick for the whole deployment, then runs `fn`. */
  function scheduled(name: string, fn: (tick: Date) => Promise<unknown>) {
    return async (ctx: { date: Date }) => {
      try {
        // Instances' ticks carry the same scheduled time (second resolution): one claim wins.
        if (!(await locks.acquire(`tick:${name}:${ctx.date.getTime()}`, 10 * 60_000))) return;
        await fn(ctx.date);
      } catch (err) {
        log.error({ err, job: name }, 'scheduled job failed');
      }
    };
  }

  return {
    ...jobs,
    start(): void {
      const opts = { noOverlap: true } as const;
      tasks.push(cron.schedule(config.pruneCron, scheduled('prune', async (tick) => (await jobs.prune(tick), await jobs.reconcile())), { ...opts, name: 'prune' }));
      tasks.push(cron.schedule(config.moderationCron, scheduled('lift-expired', () => jobs.liftExpired()), { ...opts, name: 'lift-expired' }));
      // After a restart (or Redis losing its data) restrictions come back before anyone sends.
      jobs.reconcile().catch((err) => log.error({ err, job: 'reconcile' }, 'reconcile at start failed'));
    },
    async stop(): Promise<void> {
      await Promise.all(tasks.splice(0).map((t) => t.destroy()));
    },
  };
}

export type Jobs = ReturnType<typeof createJobs>;
