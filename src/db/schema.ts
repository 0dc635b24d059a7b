/** Table shapes for Kysely. Rows never leave the repositories: they map them to domain types. */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** NFKC + lower case: what uniqueness is checked on. */
  username_key: string;
  display_name: string;
  password_hash: string;
  disabled: number;
  created_at: number;
  deleted_at: number | null;
  /** 'en' | 'zh-CN', or null: follow the browser. */
  locale: string | null;
  /** 'system' | 'light' | 'dark'. */
  theme: Generated<string>;
  /** Desktop notifications: 'mentions' | 'all' | 'off'. */
  notify: Generated<string>;
  /** 1: the generated first admin's password, to be changed (migrations/…password-change.ts). */
  must_change_password: Generated<number>;
}

/**
 * Who holds each confusable skeleton (users/skeleton.ts): a live user's username and display
 * name (kind 'user'), a room's name (kind 'room'). No two owners of a kind may look alike.
 */
export interface NameSkeletonsTable {
  kind: 'user' | 'room';
  skeleton: string;
  owner_id: number;
}

export interface PermissionsTable {
  user_id: number;
  permission: string;
}

export interface RoomsTable {
  id: Generated<number>;
  name: string;
  name_key: string;
  description: string;
  owner_id: number;
  created_at: number;
  archived: Generated<number>;
  /** 'public' or 'private' (migrations/2026-12-03T07-00_private-rooms.ts). */
  visibility: Generated<string>;
  /** 'room' or 'dm'; a DM's ordered user pair "low:high" (unique), else NULL. */
  kind: Generated<string>;
  dm_key: string | null;
}

/** Who blocked whom (src/modules/users/blocks.ts). */
export interface BlocksTable {
  blocker_id: number;
  blocked_id: number;
  created_at: number;
}

/** Embedded live-state adapter only (Redis holds these in production). */
export interface LiveMessagesTable {
  room_id: number;
  id: number;
  ts: number;
  user_id: number;
  user_name: string;
  body: string;
  client_id: string;
  deleted: Generated<number>;
  edited_at: number | null;
  reply_to: number | null;
  /** JSON `[{"id":…,"name":…}]` of the users mentioned (names as at sending); NULL: none. */
  mentions: Generated<string | null>;
  /** 1: the message's `@here` was accepted. */
  here: Generated<number>;
}

/** An edit or deletion of a live message; `seq` comes from the room's message counter. */
export interface LiveMessageChangesTable {
  room_id: number;
  seq: number;
  message_id: number;
  kind: 'edited' | 'deleted';
  /** The new body (edits). */
  body: string | null;
  /** When the change was made. */
  ts: number;
}

export interface LiveMessageSeqsTable {
  room_id: number;
  last_id: number;
}

export interface LiveMembersTable {
  room_id: number;
  user_id: number;
  joined_at: number;
}

export interface LiveSessionsTable {
  id: string;
  user_id: number | null;
  data: string;
  expires_at: number;
}

export interface ModerationLogTable {
  id: Generated<number>;
  room_id: number;
  actor_id: number | null;
  target_id: number | null;
  action: string;
  reason: string;
  until: number | null;
  message_id: number | null;
  created_at: number;
}

/** Embedded live-state adapter only: active mutes and bars; until 0 = no end. */
export interface LiveRestrictionsTable {
  room_id: number;
  user_id: number;
  kind: string;
  until: number;
}

/** Each user's last read message per room (both backends: durable, written in batches). */
export interface ReadMarkersTable {
  user_id: number;
  room_id: number;
  last_read: number;
  updated_at: number;
}

/** Embedded live-state adapter only: which messages mention which users. */
export interface LiveMentionsTable {
  room_id: number;
  user_id: number;
  message_id: number;
}

export interface SiteSettingsTable {
  name: string;
  value: string;
}

export interface InvitesTable {
  id: Generated<number>;
  /** SHA-256 of the token, hex. */
  token_hash: string;
  created_by: number;
  created_at: number;
  expires_at: number;
  max_uses: number;
  uses: Generated<number>;
  revoked_at: number | null;
  /** Comma-separated permission names granted on sign-up. */
  permissions: Generated<string>;
  /** Comma-separated room ids joined on sign-up. */
  rooms: Generated<string>;
  /** A room invite's private room (joined on use); NULL for the site's invites. */
  room_id: number | null;
}

/** The site audit log (src/modules/audit): who did what to whom, from where. */
export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  target_id: number | null;
  action: string;
  ip: string | null;
  /** JSON object of the action's particulars. */
  details: Generated<string>;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  permissions: PermissionsTable;
  name_skeletons: NameSkeletonsTable;
  rooms: RoomsTable;
  blocks: BlocksTable;
  live_messages: LiveMessagesTable;
  live_message_seqs: LiveMessageSeqsTable;
  live_message_changes: LiveMessageChangesTable;
  live_members: LiveMembersTable;
  live_sessions: LiveSessionsTable;
  moderation_log: ModerationLogTable;
  live_restrictions: LiveRestrictionsTable;
  read_markers: ReadMarkersTable;
  live_mentions: LiveMentionsTable;
  site_settings: SiteSettingsTable;
  invites: InvitesTable;
  audit_log: AuditLogTable;
  user_totp: UserTotpTable;
  user_recovery_codes: UserRecoveryCodesTable;
}

/** Two-factor sign-in: a user's TOTP secret (AES-256-GCM, src/modules/auth/two-factor/crypto.ts). */
export interface UserTotpTable {
  user_id: number;
  secret_enc: string;
  /** 0 while enrolment awaits its confirming code. */
  enabled: number;
  /** The last accepted RFC 6238 time step: a code of this step or earlier is refused. */
  last_step: number;
  created_at: number;
}

/** SHA-256 (hex) of each unused recovery code; a used one is deleted. */
export interface UserRecoveryCodesTable {
  user_id: number;
  code_hash: string;
}
