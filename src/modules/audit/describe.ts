import type { Translate } from '../../i18n/index.js';
import { REGISTRATION_MODES } from '../registration/settings.js';
import { PERMISSIONS } from '../users/permissions.js';
import type { SiteAction, SiteAuditEntry } from './log.js';

type Details = SiteAuditEntry['details'];

/** Names for the ids an entry's details hold (a user or room since removed: a generic word). */
export interface DetailNames {
  user(id: number): string | undefined;
  room(id: number): string | undefined;
}

/** The user and room ids the details of these entries name, for the caller to look up. */
export function detailRefs(entries: Array<Pick<SiteAuditEntry, 'action' | 'details'>>): { users: number[]; rooms: number[] } {
  const users = new Set<number>();
  const rooms = new Set<number>();
  for (const e of entries) {
    if (typeof e.details.by === 'number') users.add(e.details.by);
    if (e.action === 'invite_create' && typeof e.details.rooms === 'string') for (const id of ids(e.details.rooms)) rooms.add(id);
    // A room invite's entries name its room by id (a join, a sign-up through it).
    if (typeof e.details.room === 'number' && typeof e.details.name !== 'string') rooms.add(e.details.room);
  }
  return { users: [...users], rooms: [...rooms] };
}

const ids = (list: string) => list.split(',').map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);

/** A count in words, singular where English has one ("1 hour", "3 hours"). */
const counted = (t: Translate, key: 'audit.d.uses' | 'audit.d.hours' | 'audit.d.other', n: number) => t(n === 1 ? `${key}.one` : key, { n });

/**
 * An audit entry's details as translated sentences (the Details column of /admin/audit): each
 * action's known fields fill its sentence templates; fields an entry has that its action does
 * not describe (older or newer writers, a changed shape) become one generic line, never raw
 * key=value text.
 */
export function describeDetails(action: SiteAction, details: Details, t: Translate, names: DetailNames): string[] {
  const left = new Map(Object.entries(details));
  const str = (k: string) => {
    const v = left.get(k);
    if (typeof v !== 'string') return undefined;
    left.delete(k);
    return v;
  };
  const num = (k: string) => {
    const v = left.get(k);
    if (typeof v !== 'number') return undefined;
    left.delete(k);
    return v;
  };
  const bool = (k: string) => {
    const v = left.get(k);
    if (typeof v !== 'boolean') return undefined;
    left.delete(k);
    return v;
  };
  const sep = t('audit.d.listSep');
  const permission = (p: string) => (PERMISSIONS.find((known) => known === p) ? t(`perm.${p as (typeof PERMISSIONS)[number]}`) : t('audit.d.unknownPermission'));
  const mode = (m: string) => (REGISTRATION_MODES.find((known) => known === m) ? t(`audit.d.mode.${m as (typeof REGISTRATION_MODES)[number]}`) : t('audit.d.mode.unknown'));
  const permissionList = (list: string) => list.split(',').filter(Boolean).map(permission).join(sep);
  const out: string[] = [];
  /** A room invite's room: by the name recorded with it, else by its id's current name. */
  const inviteRoom = () => {
    const id = num('room');
    const name = str('name');
    if (name !== undefined) return out.push(t('audit.d.inviteRoom', { name }));
    const current = id === undefined ? undefined : names.room(id);
    if (id !== undefined) out.push(current === undefined ? t('audit.d.inviteGoneRoom') : t('audit.d.inviteRoom', { name: current }));
  };

  // Where the change came from (the command line, the admin pages, the sign-up page).
  const via = left.get('via');
  if (via === 'cli' || via === 'admin' || via === 'registration') {
    left.delete('via');
    out.push(t(`audit.d.via.${via}`));
  } else if (via === 'invite' && action === 'invite_use') left.delete('via');

  switch (action) {
    case 'user_create':
      if (bool('admin') === true) out.push(t('audit.d.madeAdmin'));
      break;
    case 'invite_use':
    case 'invite_join': {
      // A sign-up with an invite, or joining a private room through one of its links.
      const invite = num('invite');
      const by = num('by');
      if (invite !== undefined && by !== undefined) out.push(t('audit.d.inviteUse', { invite, by: names.user(by) ?? t('audit.d.someone') }));
      else if (invite !== undefined) out.push(t('audit.d.invite', { invite }));
      else if (by !== undefined) left.set('by', by);
      const perms = action === 'invite_use' ? str('permissions') : undefined;
      if (perms) out.push(t('audit.d.permissions', { list: permissionList(perms) }));
      inviteRoom();
      break;
    }
    case 'user_delete': {
      const username = str('username');
      if (username !== undefined) out.push(t('audit.d.formerName', { username }));
      break;
    }
    case 'permission_grant':
    case 'permission_revoke': {
      const p = str('permission');
      if (p !== undefined) out.push(t('audit.d.permission', { permission: permission(p) }));
      break;
    }
    case 'room_create':
    case 'room_archive':
    case 'room_unarchive':
    case 'room_delete':
    case 'member_add':
    case 'member_remove': {
      const name = str('name');
      // The id adds nothing a person reads once the name is there.
      if (name !== undefined) {
        num('room');
        out.push(t('audit.d.room', { name }));
      }
      break;
    }
    case 'settings_change': {
      const setting = left.get('setting');
      const from = left.get('from');
      const to = left.get('to');
      if (setting === 'require_admin_2fa' && typeof to === 'boolean' && typeof from === 'boolean') {
        for (const k of ['setting', 'from', 'to']) left.delete(k);
        out.push(t(to ? 'audit.d.admin2faOn' : 'audit.d.admin2faOff'));
      } else if (setting === 'registration' && typeof from === 'string' && typeof to === 'string') {
        for (const k of ['setting', 'from', 'to']) left.delete(k);
        out.push(t('audit.d.registration', { from: mode(from), to: mode(to) }));
      }
      break;
    }
    case 'invite_create': {
      const invite = num('invite');
      const uses = num('uses');
      const hours = num('hours');
      if (invite !== undefined && uses !== undefined && hours !== undefined) {
        out.push(t('audit.d.inviteCreate', { invite, uses: counted(t, 'audit.d.uses', uses), hours: counted(t, 'audit.d.hours', hours) }));
      } else {
        for (const [k, v] of Object.entries({ invite, uses, hours })) if (v !== undefined) left.set(k, v);
      }
      const perms = str('permissions');
      if (perms) out.push(t('audit.d.permissions', { list: permissionList(perms) }));
      const rooms = str('rooms');
      if (rooms) out.push(t('audit.d.rooms', { list: ids(rooms).map((id) => names.room(id) ?? t('audit.d.goneRoom')).join(sep) }));
      inviteRoom();
      break;
    }
    case 'invite_revoke': {
      const invite = num('invite');
      if (invite !== undefined) out.push(t('audit.d.invite', { invite }));
      inviteRoom();
      break;
    }
    default:
      break;
  }
  if (left.size > 0) out.push(counted(t, 'audit.d.other', left.size));
  return out;
}
