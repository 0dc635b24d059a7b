import type { Db } from '../../db/connect.js';

export const AUDIT_ACTIONS = ['mute', 'unmute', 'kick', 'ban', 'unban', 'delete', 'edit', 'archive', 'unarchive', 'member_add', 'member_remove'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  id: number;
  room: number;
  actorId: number | null;
  targetId: number | null;
  action: AuditAction;
  reason: string;
  until: number | null;
  messageId: number | null;
  at: number;
}

export interface AuditFilter {
  action?: AuditAction;
  actorId?: number;
  targetId?: number;
  /** Entries with id below this (paging back). */
  before?: number;
  limit: number;
}

/** The moderation audit log: append-only, in the SQL database whatever the live state. */
export function createAuditLog(db: Db) {
  return {
    async record(e: Omit<AuditEntry, 'id'>): Promise<void> {
      await db
        .insertInto('moderation_log')
        .values({
          room_id: e.room,
          actor_id: e.actorId,
          target_id: e.targetId,
          action: e.action,
          reason: e.reason,
          until: e.until,
          message_id: e.messageId,
          created_at: e.at,
        })
        .execute();
    },

    async list(room: number, f: AuditFilter): Promise<{ entries: AuditEntry[]; hasMore: boolean }> {
      let q = db.selectFrom('moderation_log').selectAll().where('room_id', '=', room);
      if (f.action) q = q.where('action', '=', f.action);
      if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
      if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
      if (f.before !== undefined) q = q.where('id', '<', f.before);
      const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
      return {
        entries: rows.slice(0, f.limit).map((r) => ({
          id: Number(r.id),
          room: Number(r.room_id),
          actorId: r.actor_id === null ? null : Number(r.actor_id),
          targetId: r.target_id === null ? null : Number(r.target_id),
          action: r.action as AuditAction,
          reason: r.reason,
          until: r.until === null ? null : Number(r.until),
          messageId: r.message_id === null ? null : Number(r.message_id),
          at: Number(r.created_at),
        })),
        hasMore: rows.length > f.limit,
      };
    },

    /** The reason given for the user's mute in force in the room ('' when none was given). */
    async muteReason(room: number, userId: number): Promise<string> {
      const row = await db
        .selectFrom('moderation_log')
        .select(['action', 'reason'])
        .where('room_id', '=', room)
        .where('target_id', '=', userId)
        .where('action', 'in', ['mute', 'unmute'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.action === 'mute' ? row.reason : '';
    },

    /**
     * The last mute-or-unmute and the last kick/ban-or-unban per (room, user): what the live
     * state should hold. Used to rebuild it after Redis lost its data.
     */
    async latestRestrictions(): Promise<Array<{ room: number; userId: number; action: AuditAction; until: number | null }>> {
      const rows = await db
        .selectFrom('moderation_log')
        .select(['id', 'room_id', 'target_id', 'action', 'until'])
        .where('action', 'in', ['mute', 'unmute', 'kick', 'ban', 'unban'])
        .where('target_id', 'is not', null)
        .orderBy('id')
        .execute();
      const latest = new Map<string, { room: number; userId: number; action: AuditAction; until: number | null }>();
      for (const r of rows) {
        const kind = r.action === 'mute' || r.action === 'unmute' ? 'mute' : 'bar';
        latest.set(`${r.room_id}:${r.target_id}:${kind}`, {
          room: Number(r.room_id),
          userId: Number(r.target_id),
          action: r.action as AuditAction,
          until: r.until === null ? null : Number(r.until),
        });
      }
      return [...latest.values()];
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
