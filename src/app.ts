import crypto from 'node:crypto';
import os from 'node:os';
import formbody from '@fastify/formbody';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync, type RouteOptions } from 'fastify';
import type { Config } from '../fastify.config.js';
import { connectDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import type { AppDeps } from './deps.js';
import { createJobs } from './jobs/index.js';
import { createLiveState } from './live/index.js';
import { loggerOptions, requestLog } from './logger.js';
import { createActivity } from './observability/activity.js';
import { createMetrics } from './observability/metrics.js';
import metricsRoute from './observability/route.js';
import systemRoute from './observability/system-route.js';
import adminRoutes from './modules/admin/routes.js';
import siteAdminRoutes from './modules/admin/site-routes.js';
import { createSiteAudit } from './modules/audit/log.js';
import { createInvites } from './modules/registration/invites.js';
import registrationRoutes from './modules/registration/routes.js';
import { createRegistration } from './modules/registration/service.js';
import { createSiteSettings } from './modules/registration/settings.js';
import { createAdminService } from './modules/admin/service.js';
import accountRoutes from './modules/auth/account-routes.js';
import mentionRoutes from './modules/messages/mention-routes.js';
import notifyRoutes from './modules/users/notify-routes.js';
import authRoutes from './modules/auth/routes.js';
import { createPasswordHasher } from './modules/auth/passwords.js';
import { createAuthService } from './modules/auth/service.js';
import { createLoginThrottle, createPasswordCheckThrottle, createSecondFactorThrottle } from './modules/auth/throttle.js';
import { createSecretBox } from './modules/auth/two-factor/secret-box.js';
import { createTwoFactor } from './modules/auth/two-factor/service.js';
import twoFactorRoutes from './modules/auth/two-factor/routes.js';
import { createUserLimit } from './modules/limits/user-limit.js';
import messageRoutes from './modules/messages/routes.js';
import { createMessageService } from './modules/messages/service.js';
import { createRoomAccess } from './modules/moderation/access.js';
import { createAuditLog } from './modules/moderation/audit.js';
import moderationRoutes from './modules/moderation/routes.js';
import { createModerationService } from './modules/moderation/service.js';
import { createRoomRepository } from './modules/rooms/repository.js';
import roomRoutes from './modules/rooms/routes.js';
import dmRoutes from './modules/rooms/dm-routes.js';
import blockRoutes from './modules/users/block-routes.js';
import { createRoomViews, HISTORY_PAGE } from './modules/rooms/room-views.js';
import { createRoomService } from './modules/rooms/service.js';
import { createBlocks } from './modules/users/blocks.js';
import { ensureFirstAdmin } from './modules/users/bootstrap.js';
import { createUserRepository } from './modules/users/repository.js';
import { createAccountSettings } from './modules/users/settings.js';
import currentUser from './plugins/current-user.js';
import errorPages, { notFoundPage } from './plugins/error-pages.js';
import replyGuard from './plugins/reply-guard.js';
import securityHeaders from './plugins/security-headers.js';
import sessionPlugin from './plugins/session.js';
import views from './plugins/views.js';
import { createEventPublisher } from './realtime/events.js';
import { createHub } from './realtime/hub.js';
import { createReadMarkers } from './modules/unread/markers.js';
import { createUnreadService } from './modules/unread/service.js';
import { createUnreadWatch } from './realtime/unread-watch.js';
import { stopAccepting } from './realtime/stop-accepting.js';
import realtimeRoute from './realtime/route.js';
import healthRoutes from './routes/health.js';
import languageRoutes from './routes/language.js';
import { resolveEncryptionKey, resolveSessionSecret } from './secrets.js';
import { MAX_FRAME_BYTES } from './shared/protocol.js';

export interface AppOptions {
  /** Injected clock, for tests of expiry. */
  now?: () => number;
  instanceId?: string;
  /** Extra routes inside the session context: tests of the reply path's failure handling. */
  webRoutes?: FastifyPluginAsync;
  /** Told of every route as it is added: tests that enumerate the HTTP surface. */
  onRoute?: (route: RouteOptions) => void;
  /** Told of each new message's mentioned users (modules/messages/service.ts `onMentions`). */
  onMentions?: (room: number, messageId: number, userIds: number[]) => void;
}

/** The one composition point: connects storage, wires services, registers plugins and routes. */
export async function buildApp(config: Config, opts: AppOptions = {}): Promise<FastifyInstance> {
  const now = opts.now ?? Date.now;
  const instanceId = opts.instanceId ?? `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const app = Fastify({
    logger: loggerOptions(config),
    // A hop count is valid at runtime (fastify docs) though its types omit it.
    trustProxy: config.trustProxy as boolean | string,
    bodyLimit: 64 * 1024,
    genReqId: () => crypto.randomUUID(),
    forceCloseConnections: true,
    // One line per request instead, with secrets in the query redacted (logger.ts).
    logController: new LogController({ disableRequestLogging: true }),
  });
  requestLog(app);
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);

  const db = connectDatabase(config.database);
  app.addHook('onClose', async () => {
    await db.destroy();
  });
  const applied = await migrateToLatest(db);
  if (applied.length) app.log.info({ migrations: applied }, 'database migrated');

  const metrics = createMetrics();
  const activity = createActivity(now);
  const live = createLiveState({
    config,
    db,
    instanceId,
    now,
    onError: (err) => {
      metrics.redisErrors.inc();
      activity.error('redis', err.message);
      app.log.error({ err }, 'redis connection error');
    },
  });
  const events = createEventPublisher(live.bus);
  const users = createUserRepository(db);
  const hasher = createPasswordHasher({ maxConcurrent: Math.max(2, os.availableParallelism()) });
  const roomRepository = createRoomRepository(db);
  const blocks = createBlocks({ db, now });
  const access = createRoomAccess({ live, now, blocks });
  const audit = createAuditLog(db);
  const siteAudit = createSiteAudit(db);
  const createLimit = createUserLimit({ counters: live.counters, name: 'room-create', max: config.limits.roomCreatePerHour, windowMs: 3600_000, now, message: 'Too many rooms created' });
  const enterLimit = createUserLimit({ counters: live.counters, name: 'room-enter', max: config.limits.joinPerMinute, windowMs: 60_000, now, message: 'Too many joins' });
  const rooms = createRoomService({ rooms: roomRepository, users, live, events, access, audit, siteAudit, createLimit, enterLimit, blocks, now });
  const roomInviteLimit = createUserLimit({ counters: live.counters, name: 'room-invite', max: config.limits.roomInvitePerHour, windowMs: 3600_000, now, message: 'Too many room invite links created' });
  const sendLimit = createUserLimit({ counters: live.counters, name: 'send', max: config.limits.sendPer10s, windowMs: 10_000, now, message: 'Slow down' });
  const messages = createMessageService({ live, access, sendLimit, users, events, now, metrics, activity, editWindowMs: config.editWindowMs,
    // Mentions feed the unread badges' counts; a failed write costs a count, never the message.
    onMentions: async (room, id, userIds) => {
      await live.mentions.record(room, id, userIds).catch((err: unknown) => app.log.warn({ err, room, id }, 'recording mentions failed'));
      opts.onMentions?.(room, id, userIds);
    },
  });
  const moderation = createModerationService({ rooms, users, live, events, audit, now, metrics });
  const roomViews = createRoomViews({
    bus: live.bus,
    read: async (room, before) => {
      const [page, roster] = await Promise.all([messages.history(room, { before, limit: HISTORY_PAGE }), rooms.roster(room)]);
      // Replies show their original as it is now (an edit or deletion drops the view: room event).
      return { page: { ...page, messages: await messages.withQuotes(room, page.messages) }, roster };
    },
    now,
    log: app.log,
  });
  events.onRoomEvent(roomViews.forget);
  const forget = {
    user: (id: number) => {
      users.forget(id);
      // An account deleted: its messages and roster entries show a new name wherever it was.
      roomViews.forgetAll();
    },
    room: (id: number) => {
      rooms.forget(id);
      roomViews.forget(id);
    },
    all: () => {
      users.forgetAll();
      rooms.forgetAll();
      roomViews.forgetAll();
    },
  };
  const hub = createHub({ live, events, log: app.log, heartbeatMs: config.limits.wsHeartbeatMs, session: config.session, metrics, now, forget });
  metrics.gauge('hihi_sockets_open', 'Open websockets on this instance', () => hub.size);
  metrics.gauge('hihi_rooms_listened', 'Rooms with at least one socket on this instance', () => hub.roomCount);
  const readMarkers = createReadMarkers({ db, now, log: app.log });
  const unread = createUnreadService({ live, markers: readMarkers, getRoom: rooms.getRecent });
  const unreadWatch = createUnreadWatch({ live, markers: readMarkers, log: app.log, now });
  const jobs = createJobs({ config, locks: live.locks, messages: live.messages, mentions: live.mentions, rooms: roomRepository, moderation, siteAudit, events, log: app.log, now, metrics });
  const settings = createSiteSettings({ db, audit: siteAudit, defaults: { registration: config.registration }, now });
  const invites = createInvites({ db, rooms: roomRepository, roomService: rooms, users, audit: siteAudit, now });
  const deps: AppDeps = {
    config,
    db,
    live,
    events,
    users,
    hasher,
    accountSettings: createAccountSettings({ users, events }),
    auth: createAuthService({ users, hasher }),
    throttle: createLoginThrottle({ counters: live.counters, perIpPerMinute: config.limits.loginPerMinute }),
    passwordCheck: createPasswordCheckThrottle(live.counters),
    twoFactor: createTwoFactor({ db, box: createSecretBox(resolveEncryptionKey(config)), audit: siteAudit, now, issuer: config.publicUrl?.host ?? 'hihi' }),
    secondFactor: createSecondFactorThrottle({ counters: live.counters, perIpPerMinute: config.limits.loginPerMinute }),
    admin: createAdminService({ users, hasher, live, events, audit: siteAudit, memberships: rooms, now }),
    siteAudit,
    settings,
    invites,
    roomInviteLimit,
    blocks,
    registration: createRegistration({ users, hasher, settings, invites, rooms, audit: siteAudit, counters: live.counters, perHour: config.limits.registerPerHour, now }),
    rooms,
    roomViews,
    messages,
    moderation,
    audit,
    hub,
    jobs,
    metrics,
    activity,
    sessionSecret: resolveSessionSecret(config),
    readMarkers,
    unread,
    unreadWatch,
    now,
  };
  app.decorate('deps', deps);
  // Closed in reverse: sockets first, then live state; the database last (registered first).
  app.addHook('onClose', async () => {
    await live.close();
  });
  app.addHook('preClose', async () => {
    // Registered before the websocket plugin's, so it runs first: nothing new comes in while the sockets finish.
    stopAccepting(app.server);
    await jobs.stop();
    await hub.stop();
    await unreadWatch.stop();
    // After the sockets' last frames: their reads are written before the database closes.
    await readMarkers.stop();
    await roomViews.close();
  });
  // Set on arrival, so error pages carry it too; a plain callback hook (no promise per request).
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });

  // Infrastructure first, then the app's own plugins, then routes.
  await app.register(securityHeaders);
  await app.register(views);
  await app.register(errorPages);
  await app.register(replyGuard);
  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false } });
  await app.register(healthRoutes);
  await app.register(metricsRoute);
  // Everything with a session lives in this context; static files and health checks skip it.
  await app.register(async (web) => {
    await web.register(formbody);
    await web.register(sessionPlugin);
    await web.register(currentUser);
    // In this context, not at the root: a 404 then runs this context's hooks (session, user),
    // so a signed-in reader's 404 page keeps the navigation.
    web.setNotFoundHandler(notFoundPage);
    await web.register(authRoutes);
    await web.register(accountRoutes);
    await web.register(twoFactorRoutes);
    await web.register(languageRoutes);
    await web.register(roomRoutes);
    await web.register(dmRoutes);
    await web.register(blockRoutes);
    await web.register(messageRoutes);
    await web.register(mentionRoutes);
    await web.register(notifyRoutes);
    await web.register(moderationRoutes);
    await web.register(adminRoutes);
    await web.register(siteAdminRoutes);
    await web.register(registrationRoutes);
    await web.register(systemRoute);
    await web.register(realtimeRoute);
    if (opts.webRoutes) await web.register(opts.webRoutes);
  });

  await ensureFirstAdmin({ users, hasher, admin: config.admin, log: app.log, now });
  await hub.start();
  unreadWatch.start();
  readMarkers.start();
  jobs.start();
  return app;
}
