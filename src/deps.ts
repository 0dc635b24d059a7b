import type { Config } from '../fastify.config.js';
import type { Db } from './db/connect.js';
import type { Jobs } from './jobs/index.js';
import type { Activity } from './observability/activity.js';
import type { Metrics } from './observability/metrics.js';
import type { LiveState } from './live/ports.js';
import type { AdminService } from './modules/admin/service.js';
import type { AuthService } from './modules/auth/service.js';
import type { LoginThrottle, PasswordCheckThrottle, SecondFactorThrottle } from './modules/auth/throttle.js';
import type { TwoFactor } from './modules/auth/two-factor/service.js';
import type { PasswordHasher } from './modules/auth/passwords.js';
import type { MessageService } from './modules/messages/service.js';
import type { AuditLog } from './modules/moderation/audit.js';
import type { SiteAudit } from './modules/audit/log.js';
import type { UserLimit } from './modules/limits/user-limit.js';
import type { Invites } from './modules/registration/invites.js';
import type { Blocks } from './modules/users/blocks.js';
import type { Registration } from './modules/registration/service.js';
import type { SiteSettings } from './modules/registration/settings.js';
import type { ModerationService } from './modules/moderation/service.js';
import type { RoomViews } from './modules/rooms/room-views.js';
import type { RoomService } from './modules/rooms/service.js';
import type { UserRepository } from './modules/users/repository.js';
import type { AccountSettings } from './modules/users/settings.js';
import type { EventPublisher } from './realtime/events.js';
import type { Hub } from './realtime/hub.js';
import type { ReadMarkers } from './modules/unread/markers.js';
import type { UnreadService } from './modules/unread/service.js';
import type { UnreadWatch } from './realtime/unread-watch.js';

/** Everything the routes use, wired once in buildApp. */
export interface AppDeps {
  config: Config;
  db: Db;
  live: LiveState;
  events: EventPublisher;
  users: UserRepository;
  hasher: PasswordHasher;
  accountSettings: AccountSettings;
  auth: AuthService;
  throttle: LoginThrottle;
  passwordCheck: PasswordCheckThrottle;
  twoFactor: TwoFactor;
  secondFactor: SecondFactorThrottle;
  admin: AdminService;
  siteAudit: SiteAudit;
  settings: SiteSettings;
  invites: Invites;
  /** ROOM_INVITE_PER_HOUR: room invite links one user creates, shared by every instance. */
  roomInviteLimit: UserLimit;
  /** Who blocked whom (direct messages refused, messages collapsed). */
  blocks: Blocks;
  registration: Registration;
  rooms: RoomService;
  roomViews: RoomViews;
  messages: MessageService;
  moderation: ModerationService;
  audit: AuditLog;
  hub: Hub;
  jobs: Jobs;
  metrics: Metrics;
  activity: Activity;
  sessionSecret: string;
  readMarkers: ReadMarkers;
  unread: UnreadService;
  unreadWatch: UnreadWatch;
  now: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}
