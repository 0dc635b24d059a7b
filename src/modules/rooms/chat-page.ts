import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { clientStrings, type Locale, type Translate } from '../../i18n/index.js';
import { PUBLIC_DIR } from '../../paths.js';
import type { User } from '../users/repository.js';
import type { ActiveRestrictions } from '../moderation/access.js';
import type { RestrictedMember } from '../moderation/restricted.js';
import type { NotifyLevel } from '../users/notify.js';
import type { Room } from './repository.js';
import type { RoomView } from './room-views.js';

/** What differs between two readers of the same room view in the same language and role. */
type Slot = 'csrf' | 'clientId' | 'client' | 'name' | 'path' | 'theme';

/*
 * The page is rendered with a marker in place of each per-reader value and cut at the markers
 * into a shell: bytes, and the slots between them. A reader's page is the shell with their
 * values, escaped as the templates escape, so it is the same page the template renders for
 * them (test/integration/chat-page.test.ts). Markers hold a per-process random token, so no text a
 * user wrote can pass for one.
 */
const TOKEN = crypto.randomBytes(8).toString('hex');
const mark = (slot: Slot) => `\u0001${TOKEN}:${slot}\u0001`;
const MARKER_RE = new RegExp(`\u0001${TOKEN}:(\\w+)\u0001`);
const escape = (nunjucks as unknown as { lib: { escape(s: string): string } }).lib.escape;
/**
 * Every module the chat script imports, directly or not (public/js/chat.js's static relative
 * imports, followed), read once at startup: the page preloads them all, so they load in
 * parallel with the entry instead of one import level after another, and a new module is
 * preloaded without anyone keeping a list.
 */
export function importedModules(entry: string): string[] {
  const jsDir = path.join(PUBLIC_DIR, 'js');
  const seen = new Set<string>();
  const walk = (file: string) => {
    const source = fs.readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/^import\s[^'"]*?from\s+'(\.{1,2}\/[^']+\.js)';?$/gm)) {
      const dep = path.resolve(path.dirname(file), spec!);
      if (seen.has(dep)) continue;
      seen.add(dep);
      walk(dep);
    }
  };
  walk(path.join(jsDir, entry));
  return [...seen].map((f) => `/static/js/${path.relative(jsDir, f).split(path.sep).join('/')}`).sort();
}

export const CHAT_MODULES: readonly string[] = importedModules('chat.js');

/** Shells kept per room view, at most (~26 KB each): more variants are built per request. */
const SHELLS_PER_VIEW = 4;

type Part = Buffer | Slot;
interface Shell {
  /** The room read it was built from: a newer read (settings changed) builds a new shell. */
  room: Room;
  parts: Part[];
}

/** The page script's settings, but for `strings`, which are the same for a whole language. */
interface ClientSettings {
  room: number;
  me: { id: number; name: string };
  canModerate: boolean;
  /** A non-member only reads: no composer, no socket (they join with the page's Join form). */
  member: boolean;
  muted: false | { until: number | null; reason: string };
  archived: boolean;
  lastId: number;
  firstId: number;
  hasOlder: boolean;
  live: boolean;
  /** EDIT_WINDOW_MINUTES in ms: the script offers Edit on own messages this young. */
  editWindowMs: number;
  /** The reader's read marker: the "new messages" divider goes after it. */
  lastRead: number;
  /** Desktop notifications (users/notify.ts). */
  notify: NotifyLevel;
  /** Users the reader blocked (absent: none): their live messages arrive collapsed. */
  blocked?: number[];
}

export interface ChatPageInput {
  room: Room;
  /** The room's kept view, or for an older page one read for this request. */
  view: RoomView;
  viewingOlder: boolean;
  user: User;
  /** The reader is a member (else the page has a Join form instead of the composer). */
  member: boolean;
  moderator: boolean;
  /** For a moderator: who is muted, kicked or banned in the room (else empty). */
  restricted: RestrictedMember[];
  mine: ActiveRestrictions;
  /** The moderator's reason for the reader's mute in force ('' for none), shown in the closed composer. */
  muteReason?: string;
  locale: Locale;
  t: Translate;
  csrf: string;
  /** The request's URL, for the language form's way back. */
  path: string;
  /** The reader's read marker in the room (0: none). */
  lastRead?: number;
  /** Users the reader blocked: their messages are collapsed (a page of its own when any shows). */
  blocked?: ReadonlySet<number>;
  /** In a direct message: the other person, and whether the reader blocked them (the Block/Unblock form). */
  dmWith?: { id: number; name: string; blocked: boolean };
}

/**
 * The chat page (`pages/rooms/chat.njk`). Shells are kept per room view for each language,
 * role and set of navigation links; a moderator's differs per person (no menu for oneself),
 * and a muted reader's page (a closed composer of their own), a moderator's page while someone
 * is restricted (the Restricted section, menus that fit each member) and older pages are built
 * each time.
 */
export function createChatPage(deps: {
  render: (template: string, context: object) => string;
  messagesHtml: (messages: RoomView['page']['messages'], view: { locale: Locale; canModerate: boolean; t: Translate }, blocked?: ReadonlySet<number>) => string;
  editWindowMs: number;
}) {
  const shells = new WeakMap<RoomView, Map<string, Shell>>();
  /** `,"strings":{…}}` escaped, per language: the longest part of the settings. */
  const stringsTail = new WeakMap<Translate, string>();

  function clientAttribute(settings: ClientSettings, t: Translate): string {
    let tail = stringsTail.get(t);
    if (tail === undefined) stringsTail.set(t, (tail = escape(`,"strings":${JSON.stringify(clientStrings(t))}}`)));
    return escape(JSON.stringify(settings).slice(0, -1)) + tail;
  }

  function build(input: ChatPageInput, muted: ClientSettings['muted']): Shell {
    const { room, view, user, moderator, locale, t } = input;
    const html = deps.render('pages/rooms/chat.njk', {
      locale,
      t,
      currentPath: mark('path'),
      user: { displayName: mark('name'), permissions: user.permissions, theme: mark('theme') },
      room,
      messages: view.page.messages,
      messagesHtml: deps.messagesHtml(view.page.messages, { locale, canModerate: moderator, t }, input.blocked),
      dmWith: input.dmWith ?? null,
      hasOlder: view.page.hasMore,
      viewingOlder: input.viewingOlder,
      roster: view.roster,
      canModerate: moderator,
      member: input.member,
      me: { id: user.id },
      muted,
      restricted: input.restricted,
      mutedIds: input.restricted.filter((r) => r.kind === 'mute').map((r) => r.userId),
      csrf: mark('csrf'),
      clientId: mark('clientId'),
      clientJson: mark('client'),
      chatModules: CHAT_MODULES,
    });
    const parts = html.split(MARKER_RE).map((p, i): Part => (i % 2 === 1 ? (p as Slot) : Buffer.from(p)));
    return { room, parts };
  }

  return function chatPage(input: ChatPageInput): Buffer {
    const { room, view, user, moderator } = input;
    const muted: ClientSettings['muted'] = input.mine.mute === undefined ? false : { until: input.mine.mute, reason: input.muteReason ?? '' };
    // The navigation's links depend on these two permissions (layouts/base.njk).
    const nav = `${user.permissions.includes('admin') ? 'a' : ''}${user.permissions.includes('manage_users') ? 'u' : ''}`;
    const key = `${input.locale}|${nav}|${moderator ? user.id : ''}|${input.member ? 'm' : ''}`;
    // Only the kept newest view's shells are kept; a muted reader's page is their own, and so is
    // a moderator's while someone is restricted (it shows who).
    let kept: Map<string, Shell> | undefined;
    // A reader who blocked an author on the page has it collapsed: their own page, like a muted reader's.
    const collapses = input.blocked !== undefined && input.blocked.size > 0 && view.page.messages.some((m) => input.blocked!.has(m.user.id));
    if (!input.viewingOlder && muted === false && input.restricted.length === 0 && !collapses && !input.dmWith) {
      kept = shells.get(view);
      if (!kept) shells.set(view, (kept = new Map()));
    }
    let shell = kept?.get(key);
    if (!shell || shell.room !== room) {
      shell = build(input, muted);
      if (kept && (kept.has(key) || kept.size < SHELLS_PER_VIEW)) kept.set(key, shell);
    }
    const { messages, hasMore } = view.page;
    const settings: ClientSettings = {
      room: room.id,
      me: { id: user.id, name: user.displayName },
      canModerate: moderator,
      member: input.member,
      muted,
      archived: room.archived,
      lastId: messages.at(-1)?.id ?? 0,
      firstId: messages[0]?.id ?? 0,
      hasOlder: hasMore,
      live: !input.viewingOlder,
      editWindowMs: deps.editWindowMs,
      lastRead: input.lastRead ?? 0,
      notify: user.notify ?? 'mentions',
      // Only when there are some: most readers block nobody.
      ...(input.blocked?.size ? { blocked: [...input.blocked] } : {}),
    };
    const values: Record<Slot, Buffer> = {
      csrf: Buffer.from(escape(input.csrf)),
      clientId: Buffer.from(crypto.randomUUID()),
      client: Buffer.from(clientAttribute(settings, input.t)),
      name: Buffer.from(escape(user.displayName)),
      path: Buffer.from(escape(input.path)),
      theme: Buffer.from(escape(user.theme)),
    };
    return Buffer.concat(shell.parts.map((p) => (typeof p === 'string' ? values[p] : p)));
  };
}
