import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one instance. Counters are incremented where things happen; gauges
 * that describe state (sockets, rooms) are read from their owners when scraped.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hihi_process_' });
  const m = {
    registry,
    messagesAccepted: new Counter({ name: 'hihi_messages_accepted_total', help: 'Messages stored and acked', registers: [registry] }),
    deliveries: new Counter({ name: 'hihi_deliveries_total', help: 'Room events written to local sockets', registers: [registry] }),
    fanoutSeconds: new Histogram({
      name: 'hihi_fanout_seconds',
      help: 'From a message being stored to its frame being written to this instance’s sockets',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    sendErrors: new Counter({ name: 'hihi_send_errors_total', help: 'Refused sends by error code', labelNames: ['code'], registers: [registry] }),
    moderationActions: new Counter({ name: 'hihi_moderation_actions_total', help: 'Moderation actions', labelNames: ['action'], registers: [registry] }),
    pruneRuns: new Counter({ name: 'hihi_prune_runs_total', help: 'Prune job runs done by this instance', registers: [registry] }),
    pruned: new Counter({ name: 'hihi_pruned_messages_total', help: 'Messages deleted by pruning', registers: [registry] }),
    redisErrors: new Counter({ name: 'hihi_redis_errors_total', help: 'Redis connection errors', registers: [registry] }),
    dbErrors: new Counter({ name: 'hihi_database_unavailable_total', help: 'Requests answered 503 because the database was unreachable', registers: [registry] }),
    /** Registers gauges read from their owner at scrape time. */
    gauge(name: string, help: string, read: () => number) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
