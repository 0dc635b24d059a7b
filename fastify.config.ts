/**
 * The one typed configuration of hihi. Every environment variable the app reads is declared
 * here with its default and meaning; `process.env` is read nowhere else (see src/server.ts).
 */
import { z } from 'zod';
import cron from 'node-cron';
import { usernameSchema } from './src/modules/users/names.js';

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envSchema = z.object({
  /** production: JSON logs, SESSION_SECRET required. Anything else: pretty logs. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** TCP port to listen on. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface to bind. 127.0.0.1 keeps a laptop install private; use 0.0.0.0 in containers. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the embedded default keeps its SQLite file and generated session secret. */
  DATA_DIR: z.string().min(1).default('data'),
  /** mysql://user:pass@host:port/db. Unset: SQLite file under DATA_DIR. */
  DATABASE_URL: optionalString.pipe(
    z
      .url()
      .refine((u) => u.startsWith('mysql://'), 'must be a mysql:// URL (unset it for the embedded SQLite)')
      .optional(),
  ),
  /** Connections in the MySQL pool per instance. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /**
   * redis://host:port/db. Unset: in-process live state (one instance only). With REDIS_CLUSTER,
   * one or more comma-separated seed nodes of the cluster (redis://a:6379,redis://b:6379).
   */
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .refine(
        (list) => list.split(',').every((u) => URL.canParse(u.trim()) && /^rediss?:\/\//.test(u.trim())),
        'must be a redis:// or rediss:// URL (comma-separated seed nodes with REDIS_CLUSTER)',
      )
      .optional(),
  ),
  /** REDIS_URL names a Redis Cluster: use the cluster client (keys are hash-tagged per room). */
  REDIS_CLUSTER: bool.default(false),
  /** Pub/sub on a cluster: sharded (SPUBLISH, Redis 7+, scales with the shards) or global (PUBLISH, any version). */
  REDIS_CLUSTER_PUBSUB: z.enum(['sharded', 'global']).default('sharded'),
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,32}$/).default('hihi:'),
  /** Cookie-signing secret, at least 32 characters. Required in production. */
  SESSION_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** Absolute session lifetime in hours: sign in again after this, however active. */
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24 * 7),
  /** Idle timeout in minutes: a session unused this long ends. */
  SESSION_IDLE_MINUTES: z.coerce.number().positive().max(60 * 24 * 365).default(60 * 24),
  /**
   * The origin browsers use (https://chat.example.org). Required in production. Unset (development
   * only): the websocket Origin is compared with the request's own Host, which the client sends.
   */
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  /** Trust X-Forwarded-* from this proxy (true, a hop count, or comma-separated addresses). */
  TRUST_PROXY: z.string().default('false'),
  /** First admin, created on first start when no user exists. */
  /** The first admin's username obeys the same rules as any other (no invisible or mixed-alphabet names). */
  ADMIN_USERNAME: usernameSchema.default('admin'),
  /** Password of the first admin. Unset: a random one is generated and logged once. */
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
  /** Messages older than this many days are pruned (decimals allowed). */
  RETENTION_DAYS: z.coerce.number().positive().default(7),
  /** node-cron schedule of the prune job (seconds field allowed). */
  PRUNE_CRON: z
    .string()
    .default('*/10 * * * *')
    .refine((s) => cron.validate(s), 'is not a valid node-cron expression'),
  /** node-cron schedule of lifting ended mutes and kicks (and telling their rooms). */
  MODERATION_CRON: z
    .string()
    .default('*/10 * * * * *')
    .refine((s) => cron.validate(s), 'is not a valid node-cron expression'),
  /** Messages deleted per prune step; each step is one short database or Redis command. */
  PRUNE_BATCH: z.coerce.number().int().min(10).max(100_000).default(500),
  /** Bearer token for GET /metrics (Prometheus) and /readyz's details. Unset: /metrics answers 404. */
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Pretty, human-readable logs (default: on unless NODE_ENV=production). */
  LOG_PRETTY: bool.optional(),
  /**
   * Messages one user may send per 10 seconds before `rate_limited`: all their sockets, the no-JS
   * form and every instance together (a fixed 10 s window in the live state's counters).
   */
  SEND_RATE_PER_10S: z.coerce.number().int().min(1).max(10_000_000).default(30),
  /**
   * `read` frames one user may send per 10 seconds before `rate_limited`, over all their
   * sockets on one instance (counted in its memory: reads are frequent and cheap). The chat page
   * sends at most one a second per open room.
   */
  READ_RATE_PER_10S: z.coerce.number().int().min(1).max(10_000_000).default(30),
  /** Minutes after sending during which an author may edit their message (deleting is always allowed). */
  EDIT_WINDOW_MINUTES: z.coerce.number().min(0).max(525_600).default(15),
  /** A socket whose unsent buffer grows past this many bytes is dropped. */
  WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(16 * 1024).default(4 * 1024 * 1024),
  /** Seconds between websocket pings; a socket silent for two intervals is dropped. */
  WS_HEARTBEAT_SECONDS: z.coerce.number().positive().max(3600).default(30),
  /** Open websockets one user may hold on one instance. */
  WS_MAX_PER_USER: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Sign-in attempts per IP per minute (all instances together). */
  LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Rooms one user may create per hour (all instances together); then a 429 page. */
  ROOM_CREATE_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(10),
  /** Invite links to private rooms one user may create per hour (all instances together); then the panel says to wait. */
  ROOM_INVITE_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /** Room joins and leaves (page forms and websocket `join`) one user may make per minute (all instances together). */
  JOIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(60),
  /**
   * Who may create an account, until an admin changes it on /admin/settings (the stored setting
   * wins from then on): closed (only admins create accounts), invite (with an invite link), open.
   */
  REGISTRATION: z.enum(['closed', 'invite', 'open']).default('closed'),
  /** Sign-up attempts per address per hour (all instances together). */
  REGISTER_RATE_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(10),
  /** Site audit log entries older than this many days are pruned by the prune job. */
  AUDIT_RETENTION_DAYS: z.coerce.number().positive().default(365),
  /**
   * Key for secrets at rest (TOTP secrets, AES-256-GCM), at least 32 random characters. Required
   * in production; otherwise generated once into DATA_DIR/encryption-key. Changing it makes
   * enrolled two-factor secrets unreadable (reset them with `npm run user -- reset-2fa NAME`).
   */
  ENCRYPTION_KEY: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  port: number;
  host: string;
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'mysql'; url: string; poolSize: number };
  /** One URL, or a cluster's seed nodes; `cluster` set when REDIS_CLUSTER is on. */
  redis: { nodes: string[]; prefix: string; cluster: { pubsub: 'sharded' | 'global' } | undefined } | undefined;
  session: { secret: string | undefined; ttlMs: number; idleMs: number };
  /** ENCRYPTION_KEY, or undefined: generated into DATA_DIR (src/secrets.ts). */
  encryptionKey: string | undefined;
  publicUrl: URL | undefined;
  trustProxy: boolean | number | string;
  admin: { username: string; password: string | undefined };
  retentionMs: number;
  /** REGISTRATION: the registration mode until an admin stores another. */
  registration: 'closed' | 'invite' | 'open';
  auditRetentionMs: number;
  pruneCron: string;
  pruneBatch: number;
  moderationCron: string;
  log: { level: Env['LOG_LEVEL']; pretty: boolean };
  metricsToken: string | undefined;
  /** EDIT_WINDOW_MINUTES in ms. */
  editWindowMs: number;
  limits: {
    sendPer10s: number;
    readPer10s: number;
    wsMaxBufferedBytes: number;
    wsHeartbeatMs: number;
    loginPerMinute: number;
    roomCreatePerHour: number;
    roomInvitePerHour: number;
    joinPerMinute: number;
    registerPerHour: number;
    wsPerUser: number;
    frameBytes: number;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

/** Parses the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production');
  }
  if (production && !e.PUBLIC_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  PUBLIC_URL: required when NODE_ENV=production (the origin browsers use, e.g. https://chat.example.org; websocket Origin is checked against it)',
    );
  }
  if (production && !e.ENCRYPTION_KEY) {
    throw new ConfigError('Invalid configuration:\n  ENCRYPTION_KEY: required when NODE_ENV=production (at least 32 random characters; encrypts two-factor secrets at rest)');
  }
  if (e.REDIS_URL?.includes(',') && !e.REDIS_CLUSTER) {
    throw new ConfigError('Invalid configuration:\n  REDIS_URL: several URLs are seed nodes of a cluster; set REDIS_CLUSTER=true');
  }
  return {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    database: e.DATABASE_URL
      ? { kind: 'mysql', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'sqlite', file: `${e.DATA_DIR}/hihi.sqlite` },
    redis: e.REDIS_URL
      ? {
          nodes: e.REDIS_URL.split(',').map((u) => u.trim()),
          prefix: e.REDIS_PREFIX,
          cluster: e.REDIS_CLUSTER ? { pubsub: e.REDIS_CLUSTER_PUBSUB } : undefined,
        }
      : undefined,
    session: { secret: e.SESSION_SECRET, ttlMs: e.SESSION_TTL_HOURS * 3600_000, idleMs: e.SESSION_IDLE_MINUTES * 60_000 },
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL) : undefined,
    encryptionKey: e.ENCRYPTION_KEY,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD },
    retentionMs: e.RETENTION_DAYS * 86_400_000,
    registration: e.REGISTRATION,
    auditRetentionMs: e.AUDIT_RETENTION_DAYS * 86_400_000,
    pruneCron: e.PRUNE_CRON,
    pruneBatch: e.PRUNE_BATCH,
    moderationCron: e.MODERATION_CRON,
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY ?? !production },
    metricsToken: e.METRICS_TOKEN,
    editWindowMs: e.EDIT_WINDOW_MINUTES * 60_000,
    limits: {
      sendPer10s: e.SEND_RATE_PER_10S,
      readPer10s: e.READ_RATE_PER_10S,
      wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      wsHeartbeatMs: e.WS_HEARTBEAT_SECONDS * 1000,
      loginPerMinute: e.LOGIN_RATE_PER_MINUTE,
      roomCreatePerHour: e.ROOM_CREATE_PER_HOUR,
      roomInvitePerHour: e.ROOM_INVITE_PER_HOUR,
      joinPerMinute: e.JOIN_RATE_PER_MINUTE,
      registerPerHour: e.REGISTER_RATE_PER_HOUR,
      wsPerUser: e.WS_MAX_PER_USER,
      frameBytes: 16 * 1024,
    },
  };
}
