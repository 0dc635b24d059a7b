import { AppError } from '../../errors.js';
import type { LiveState, Restriction } from '../../live/ports.js';
import type { Metrics } from '../../observability/metrics.js';
import type { EventPublisher } from '../../realtime/events.js';
import type { ModerationAction, UserRef } from '../../shared/protocol.js';
import type { RoomService } from '../rooms/service.js';
import { hasPermission } from '../users/permissions.js';
import type { User, UserRepository } from '../users/repository.js';
import type { AuditAction, AuditFilter, AuditLog } from './audit.js';
import { canActOn } from './roles.js';

export const DEFAULT_KICK_MINUTES = 5;

export interface ModerationRequest {
  action: ModerationAction;
  target?: { username?: string; userId?: number };
  messageId?: number;
  minutes?: number;
  reason: string;
}

export function createModerationService(deps: {
  rooms: RoomService;
  users: UserRepository;
  live: LiveState;
  events: EventPublisher;
  audit: AuditLog;
  now: () => number;
  metrics: Pick<Metrics, 'moderationActions'>;
}) {
  const { rooms, users, live, events, audit, now } = deps;
  const ref = (u: Pick<User, 'id' | 'displayName'>): UserRef => ({ id: u.id, name: u.displayName });

  async function moderatedRoom(actor: User, roomId: number) {
    // A private room the actor may not see does not exist for them, moderator or not; an owner
    // kicked or banned from their own room cannot moderate it, read its audit log, or lift their
    // own bar meanwhile.
    return rooms.moderated(roomId, actor, () => new AppError('forbidden', 'You may not moderate this room', 'mod.err.forbidden'));
  }

  /**
   * The target, if they are in the room: a member, or restricted there (a kicked or banned user
   * is no longer a member). Anyone else is answered exactly like a name nobody has, so the form
   * tells a room owner nothing about accounts outside the room. Admins, who see every account
   * on the users page anyway, may also act on people not in the room (e.g. ban ahead of time).
   */
  async function findTarget(actor: User, roomId: number, t: ModerationRequest['target']): Promise<User> {
    const user = t?.userId !== undefined ? await users.findById(t.userId) : t?.username ? await users.findByUsername(t.username) : undefined;
    const inRoom = async (u: User) => {
      const [member, restricted] = await Promise.all([live.membership.isMember(roomId, u.id), live.moderation.active(roomId, u.id, now())]);
      return member || Object.keys(restricted).length > 0;
    };
    if (!user || user.deleted || (!hasPermission(actor, 'admin') && !(await inRoom(user)))) throw new AppError('not_found', 'No such member in this room', 'mod.err.noMember');
    return user;
  }

  async function deleteMessage(actor: User, roomId: number, messageId: number, reason: string) {
    const room = await moderatedRoom(actor, roomId);
    const [message] = (await live.messages.page(roomId, { after: messageId - 1, limit: 1 })).messages;
    if (!message || message.id !== messageId) throw new AppError('not_found', 'No such message', 'mod.err.noMessage');
    if (message.user.id !== actor.id) {
      const author = await users.findById(message.user.id);
      if (author && !canActOn(actor, author, room)) throw new AppError('forbidden', 'You cannot delete messages of this user', 'mod.err.deleteRank');
    }
    // The log publishes the `deleted` frame (with its seq, so a resuming client learns of it).
    // Its mentions first: gone before the `deleted` frame goes out.
    if (message.mentions || message.here) await live.mentions.forget(roomId, messageId);
    if (!(await live.messages.remove(roomId, messageId, now()))) throw new AppError('not_found', 'No such message', 'mod.err.noMessage');
    events.sent(roomId);
    await audit.record({ room: roomId, actorId: actor.id, targetId: message.user.id, action: 'delete', reason, until: null, messageId, at: now() });
    await events.toRoom(roomId, { type: 'moderation', room: roomId, action: 'delete', by: ref(actor), messageId, ...(reason ? { reason } : {}) });
  }

  return {
    /** One moderation action, authorized against the current state; audited and announced. */
    async act(actor: User, roomId: number, req: ModerationRequest): Promise<{ target?: User; until?: number | null }> {
      if (req.action === 'delete') {
        await deleteMessage(actor, roomId, req.messageId!, req.reason);
        deps.metrics.moderationActions.inc({ action: 'delete' });
        return {};
      }
      const room = await moderatedRoom(actor, roomId);
      const target = await findTarget(actor, roomId, req.target);
      if (target.id === actor.id) throw new AppError('forbidden', 'You cannot moderate yourself', 'mod.err.self');
      if (!canActOn(actor, target, room)) throw new AppError('forbidden', 'You cannot moderate someone of equal or higher rank', 'mod.err.rank');

      const at = now();
      let until: number | null = null;
      switch (req.action) {
        case 'mute':
          until = req.minutes ? at + req.minutes * 60_000 : null;
          await live.moderation.set({ room: roomId, userId: target.id, kind: 'mute', until });
          break;
        case 'unmute':
          if (!(await live.moderation.clear(roomId, target.id, 'mute'))) throw new AppError('conflict', `${target.username} is not muted`, 'mod.err.notMuted', '', { name: target.username });
          break;
        case 'kick':
        case 'ban':
          until = req.action === 'kick' ? at + (req.minutes ?? DEFAULT_KICK_MINUTES) * 60_000 : null;
          // The bar is in place before anything else, so a racing join or send is refused.
          await live.moderation.set({ room: roomId, userId: target.id, kind: 'bar', until });
          await rooms.removeMember(roomId, target);
          await events.control({ type: 'bar', room: roomId, userId: target.id, code: req.action === 'kick' ? 'kicked' : 'banned', until });
          break;
        case 'unban':
          if (!(await live.moderation.clear(roomId, target.id, 'bar'))) throw new AppError('conflict', `${target.username} is not kicked or banned`, 'mod.err.notBarred', '', { name: target.username });
          break;
      }
      await audit.record({ room: roomId, actorId: actor.id, targetId: target.id, action: req.action, reason: req.reason, until, messageId: null, at });
      deps.metrics.moderationActions.inc({ action: req.action });
      const withUntil = req.action === 'mute' || req.action === 'kick' || req.action === 'ban';
      await events.toRoom(roomId, {
        type: 'moderation',
        room: roomId,
        action: req.action,
        target: ref(target),
        by: ref(actor),
        ...(withUntil ? { until } : {}),
        ...(req.reason ? { reason: req.reason } : {}),
      });
      return { target, until };
    },

    /** Lifts mutes and kicks that ended, records it and tells their rooms. Returns how many. */
    async liftExpired(batch = 500): Promise<number> {
      let total = 0;
      for (;;) {
        const ended: Restriction[] = await live.moderation.takeExpired(now(), batch);
        for (const r of ended) {
          const action = r.kind === 'mute' ? 'unmute' : 'unban';
          await audit.record({ room: r.room, actorId: null, targetId: r.userId, action, reason: 'expired', until: null, messageId: null, at: now() });
          const target = await users.findById(r.userId);
          await events.toRoom(r.room, {
            type: 'moderation',
            room: r.room,
            action,
            target: target ? ref(target) : { id: r.userId, name: '?' },
            by: null,
          });
        }
        total += ended.length;
        if (ended.length < batch) return total;
      }
    },

    /**
     * Makes the live state agree with the audit log: restrictions still in force come back
     * (after Redis lost its data), lifted ones go away.
     */
    async reconcile(): Promise<{ restored: number; cleared: number }> {
      let restored = 0;
      let cleared = 0;
      const at = now();
      for (const d of await audit.latestRestrictions()) {
        const kind = d.action === 'mute' || d.action === 'unmute' ? 'mute' : 'bar';
        const active = (await live.moderation.active(d.room, d.userId, at))[kind];
        const shouldHold = (d.action === 'mute' || d.action === 'kick' || d.action === 'ban') && (d.until === null || d.until > at);
        if (shouldHold && active === undefined) {
          await live.moderation.set({ room: d.room, userId: d.userId, kind, until: d.until });
          restored++;
        } else if (!shouldHold && active !== undefined && (d.action === 'unmute' || d.action === 'unban')) {
          await live.moderation.clear(d.room, d.userId, kind);
          cleared++;
        }
      }
      return { restored, cleared };
    },

    /** What the moderation panel shows: restrictions in force and the audit log, with names. */
    async panel(actor: User, roomId: number, filter: { action?: AuditAction; username?: string; before?: number }) {
      const room = await moderatedRoom(actor, roomId);
      const f: AuditFilter = { limit: 50, ...(filter.action ? { action: filter.action } : {}), ...(filter.before ? { before: filter.before } : {}) };
      if (filter.username) {
        const u = await users.findByUsername(filter.username);
        f.targetId = u?.id ?? -1;
      }
      const [restrictions, log] = await Promise.all([live.moderation.inRoom(roomId, now()), audit.list(roomId, f)]);
      const ids = new Set<number>();
      for (const r of restrictions) ids.add(r.userId);
      for (const e of log.entries) [e.actorId, e.targetId].forEach((id) => id !== null && ids.add(id));
      const names = new Map((await users.refs([...ids])).map((r) => [r.id, r.name]));
      const name = (id: number | null) => (id === null ? null : (names.get(id) ?? `#${id}`));
      return {
        room,
        restrictions: restrictions.map((r) => ({ ...r, name: name(r.userId) })),
        entries: log.entries.map((e) => ({ ...e, actor: name(e.actorId), target: name(e.targetId) })),
        hasMore: log.hasMore,
      };
    },
  };
}

export type ModerationService = ReturnType<typeof createModerationService>;
