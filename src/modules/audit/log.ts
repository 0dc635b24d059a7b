import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/schema.js';

/** Every action the site audit log records (room moderation stays in moderation_log). */
export const SITE_ACTIONS = [
  'user_create', 'user_register', 'invite_use', 'user_disable', 'user_enable', 'user_delete', 'password_reset',
  'permission_grant', 'permission_revoke', 'room_create', 'room_archive', 'room_unarchive', 'room_delete',
  'settings_change', 'invite_create', 'invite_revoke',
  '2fa_enable', '2fa_disable', '2fa_reset',
  'invite_join',
  'member_add', 'member_remove',
] as const;
export type SiteAction = (typeof SITE_ACTIONS)[number];

/** Where a change came from: the request's address (null from the command line or a job). */
export interface Origin {
  ip: string | null;
}

export interface SiteAuditEntry {
  id: number;
  actorId: number | null;
  targetId: number | null;
  action: SiteAction;
  ip: string | null;
  details: Record<string, string | number | boolean | null>;
  at: number;
}

export interface SiteAuditFilter {
  actorId?: number;
  targetId?: number;
  action?: SiteAction;
  /** Entries at or after / before these times (epoch ms). */
  from?: number;
  to?: number;
  /** Entries with id below this (keyset paging back). */
  before?: number;
  limit: number;
}

type Executor = Kysely<Database>;

/**
 * The site audit log: append-only rows in the SQL database. `record` takes the caller's
 * transaction where the change runs in one (creating a user, disabling, deleting, revoking
 * admin, settings): the entry commits or rolls back with it. Elsewhere it is written right
 * after the change succeeded.
 */
export function createSiteAudit(db: Db) {
  return {
    /** For a caller with no transaction of its own. */
    db: db as Executor,

    async record(e: Omit<SiteAuditEntry, 'id' | 'details'> & { details?: SiteAuditEntry['details'] }, ex: Executor = db): Promise<void> {
      await ex
        .insertInto('audit_log')
        .values({
          actor_id: e.actorId,
          target_id: e.targetId,
          action: e.action,
          ip: e.ip?.slice(0, 64) ?? null,
          details: JSON.stringify(e.details ?? {}).slice(0, 2000),
          created_at: e.at,
        })
        .execute();
    },

    /** Newest first; `hasMore` when older entries match too. */
    async list(f: SiteAuditFilter): Promise<{ entries: SiteAuditEntry[]; hasMore: boolean }> {
      let q = db.selectFrom('audit_log').selectAll();
      if (f.action) q = q.where('action', '=', f.action);
      if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
      if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
      if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
      if (f.to !== undefined) q = q.where('created_at', '<', f.to);
      if (f.before !== undefined) q = q.where('id', '<', f.before);
      const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
      return {
        entries: rows.slice(0, f.limit).map((r) => ({
          id: Number(r.id),
          actorId: r.actor_id === null ? null : Number(r.actor_id),
          targetId: r.target_id === null ? null : Number(r.target_id),
          action: r.action as SiteAction,
          ip: r.ip,
          details: parseDetails(r.details),
          at: Number(r.created_at),
        })),
        hasMore: rows.length > f.limit,
      };
    },

    /** Deletes up to `batch` of the oldest entries older than `cutoff`; returns how many. */
    async prune(cutoff: number, batch: number): Promise<number> {
      const ids = await db.selectFrom('audit_log').select('id').where('created_at', '<', cutoff).orderBy('id').limit(batch).execute();
      if (ids.length === 0) return 0;
      const r = await db.deleteFrom('audit_log').where('id', 'in', ids.map((i) => Number(i.id))).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

function parseDetails(s: string): SiteAuditEntry['details'] {
  try {
    const v: unknown = JSON.parse(s);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as SiteAuditEntry['details']) : {};
  } catch {
    return {};
  }
}

export type SiteAudit = ReturnType<typeof createSiteAudit>;
