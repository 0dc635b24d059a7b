import { storedAuthor } from '../../live/message-json.js';
import type { LiveState, Page, PageQuery } from '../../live/ports.js';
import type { Activity } from '../../observability/activity.js';
import type { Metrics } from '../../observability/metrics.js';
import type { EventPublisher } from '../../realtime/events.js';
import type { ChatMessage, EditedFrame, MessageId } from '../../shared/protocol.js';
import { AppError, RestrictedError } from '../../errors.js';
import type { UserLimit } from '../limits/user-limit.js';
import type { RoomAccess } from '../moderation/access.js';
import { canModerate } from '../moderation/roles.js';
import { serializeStoredPage, storedMentionIds, withCurrentName } from './history-json.js';
import { resolveMentions, type MentionLookup } from './mentions.js';
import { nameKey } from '../users/names.js';
import { quoteLine } from '../../../public/js/shared/markdown.js';
import type { Room } from '../rooms/repository.js';
import type { User, UserRepository } from '../users/repository.js';

/** What a reply shows of the message it answers; null when that message is gone. */
export interface Quote {
  id: number;
  name: string;
  /** The original's first line, cut to QUOTE_CHARS. */
  text: string;
}
/** A message as the chat page shows it: with the quote of the message it answers, resolved now. */
export type ShownMessage = ChatMessage & { quote?: Quote | null };

export function createMessageService(deps: {
  live: LiveState;
  access: RoomAccess;
  /** SEND_RATE_PER_10S, per user: every socket, the form and every instance share it. */
  sendLimit: UserLimit;
  users: Pick<UserRepository, 'refs' | 'refsByUsernames'>;
  events: EventPublisher;
  now: () => number;
  metrics: Pick<Metrics, 'messagesAccepted'>;
  activity: Pick<Activity, 'message'>;
  /** EDIT_WINDOW_MINUTES: how long after sending an author may edit. */
  editWindowMs: number;
  /**
   * Told of each newly stored message's mentioned users: those named, and for an accepted
   * `@here` everyone online in the room (the sender left out). The one place mention counts
   * and notifications hook in (e.g. the unread index's recordMentions).
   */
  onMentions?: (room: number, messageId: number, userIds: number[]) => void | Promise<void>;
}) {
  /** Users by name or id, for resolving mentions; `may` says who can be mentioned. */
  const mentionLookup = (may: (userId: number) => boolean | Promise<boolean>): MentionLookup => ({
    byUsernames: (names) => deps.users.refsByUsernames(names),
    byIds: (ids) => deps.users.refs(ids),
    isMember: async (id) => may(id),
  });
  /**
   * For an edit: only the users the message mentions already, by username or by their current
   * display name, which is how the editor shows them (mentionSource in public/js/shared/markdown.js).
   */
  const editLookup = (kept: Set<number>): MentionLookup => {
    const base = mentionLookup((uid) => kept.has(uid));
    return {
      ...base,
      async byUsernames(keys) {
        const [named, refs] = await Promise.all([base.byUsernames(keys), deps.users.refs([...kept])]);
        const wanted = new Set(keys);
        const byDisplayName = refs.flatMap((r) => (wanted.has(nameKey(r.name)) ? [{ ...r, key: nameKey(r.name) }] : []));
        // A username match wins over another user's display name.
        const taken = new Set(named.filter((u) => kept.has(u.id)).map((u) => u.key));
        return [...named, ...byDisplayName.filter((u) => !taken.has(u.key))];
      },
    };
  };
  const currentNames = async (ids: number[]) => new Map((await deps.users.refs([...new Set(ids)])).map((r) => [r.id, r.name]));

  /** The user's own stored message, or why not. */
  async function ownMessage(room: number, user: User, id: MessageId): Promise<ChatMessage> {
    const m = await deps.live.messages.get(room, id);
    if (!m) throw new AppError('not_found', 'No such message', 'mod.err.noMessage');
    if (m.user.id !== user.id) throw new AppError('forbidden', 'You can only change your own messages', 'ws.notOwn');
    return m;
  }

  /** A page of history with authors' current names (a deleted account shows as a deleted user). */
  async function history(room: number, query: PageQuery): Promise<Page> {
    const page = await deps.live.messages.page(room, query);
    const names = await currentNames(page.messages.flatMap((m) => [m.user.id, ...(m.mentions ?? []).map((r) => r.id)]));
    for (const m of page.messages) withCurrentName(m, names);
    return page;
  }

  /**
   * `post` in two steps, so a socket's burst of sends can overlap (realtime/connection.ts,
   * `pipelined`): every check and read now; the returned `store` starts the append the
   * moment it is called, so calls in order are stored in that order (the MessageLog's
   * contract), and resolves with the message.
   */
  async function prepare(room: Room, user: User, clientId: string, body: string, replyTo?: MessageId): Promise<() => Promise<ChatMessage>> {
    // Checked here, at the moment of sending, on every path (websocket and form). The two reads
    // go out together (on Redis in one write), so the shared limit adds no round trip.
    const [, , original] = await Promise.all([
      deps.sendLimit.take(user.id),
      deps.access.assertCanSend(room, user),
      replyTo === undefined ? undefined : deps.live.messages.get(room.id, replyTo),
    ]);
    if (replyTo !== undefined && !original) throw new AppError('bad_request', 'replyTo: no such message in this room', 'ws.noReplyTarget');
    const resolved = await resolveMentions(body, mentionLookup((id) => deps.live.membership.isMember(room.id, id)));
    // `@here` is a moderator's call; from anyone else it stays plain text.
    const here = resolved.here && canModerate(user, room);
    return async () => {
      const { message, duplicate } = await deps.live.messages.append({
        room: room.id,
        user: { id: user.id, name: user.displayName },
        body: resolved.body,
        clientId,
        ts: deps.now(),
        ...(replyTo === undefined ? {} : { replyTo }),
        ...(resolved.mentions.length ? { mentions: resolved.mentions } : {}),
        ...(here ? { here: true as const } : {}),
      });
      if (!duplicate) {
        deps.metrics.messagesAccepted.inc();
        deps.activity.message(room.id);
        if (deps.onMentions && (message.mentions || message.here)) {
          const online = message.here ? await deps.live.presence.online(room.id) : [];
          const ids = new Set([...(message.mentions ?? []).map((u) => u.id), ...online]);
          ids.delete(user.id);
          if (ids.size) await deps.onMentions(room.id, message.id, [...ids]);
        }
      }
      deps.events.sent(room.id);
      return message;
    };
  }

  return {
    /**
     * Stores the message (or finds the copy stored under the same clientId); the append
     * publishes it (live/ports.ts). A duplicate is not published again: its first publish went
     * out with the append, and a socket that missed it gets it by repair or `since`.
     */
    async post(room: Room, user: User, clientId: string, body: string, replyTo?: MessageId): Promise<ChatMessage> {
      return (await prepare(room, user, clientId, body, replyTo))();
    },

    prepare,

    /**
     * The author replaces their message's body, within the edit window, if they may still send
     * in the room (not muted, kicked, banned; not archived). Counts against the send limit.
     */
    async edit(room: Room, user: User, id: MessageId, body: string): Promise<EditedFrame> {
      await Promise.all([deps.sendLimit.take(user.id), deps.access.assertCanSend(room, user)]);
      // A concurrent edit of the same message (another tab) makes the compare-and-set fail: read again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const m = await ownMessage(room.id, user, id);
        if (deps.now() - m.ts > deps.editWindowMs) throw new AppError('forbidden', 'The time to edit this message has passed', 'ws.editTooLate');
        // Mentions the message already made may stay (as tokens, so they keep following renames);
        // an edit adds none: the message's list of mentioned users, counted and notified when it
        // was sent, stays as it is.
        const kept = new Set((m.mentions ?? []).map((u) => u.id));
        const { body: stored } = kept.size ? await resolveMentions(body, editLookup(kept)) : { body };
        if (m.body === stored) return { type: 'edited', room: room.id, seq: 0, id, body: stored, editedAt: m.editedAt ?? m.ts };
        const edited = await deps.live.messages.edit(room.id, m, stored, deps.now());
        if (edited === undefined) throw new AppError('not_found', 'No such message', 'mod.err.noMessage');
        if (edited !== 'conflict') {
          deps.events.sent(room.id);
          return edited;
        }
      }
      throw new AppError('conflict', 'The message kept changing; try again', 'ws.changeConflict');
    },

    /**
     * The author deletes their own message, at any time, unless barred from the room or it is
     * archived. Counts against the send limit, as an edit does.
     */
    async remove(room: Room, user: User, id: MessageId): Promise<void> {
      if (room.archived) throw new RestrictedError('archived', null, 'This room is archived: it can be read, not written to');
      const [, , m] = await Promise.all([deps.sendLimit.take(user.id), deps.access.assertCanEnter(room, user), ownMessage(room.id, user, id)]);
      // A deleted message's mentions no longer count as unread ones: gone before the `deleted` frame goes out.
      if (m.mentions || m.here) await deps.live.mentions.forget(room.id, id);
      if (!(await deps.live.messages.remove(room.id, id, deps.now()))) throw new AppError('not_found', 'No such message', 'mod.err.noMessage');
      deps.events.sent(room.id);
    },

    history,

    /**
     * Resolves each reply's quote as the original is now (edited: its new text; deleted or
     * pruned: null), from the page itself or storage. Replies are resolved when shown, never
     * stored with a copy, so an edit or deletion of the original shows everywhere at once.
     */
    async withQuotes(room: number, messages: ChatMessage[]): Promise<ShownMessage[]> {
      const onPage = new Map(messages.map((m) => [m.id, m]));
      const wanted = [...new Set(messages.flatMap((m) => (m.replyTo !== undefined && !onPage.has(m.replyTo) ? [m.replyTo] : [])))];
      const fetched = await Promise.all(wanted.map((id) => deps.live.messages.get(room, id)));
      const names = await currentNames(fetched.flatMap((m) => (m ? [m.user.id] : [])));
      for (const m of fetched) if (m) onPage.set(m.id, withCurrentName(m, names));
      return messages.map((m) => {
        if (m.replyTo === undefined) return m;
        const o = onPage.get(m.replyTo);
        return { ...m, quote: o ? { id: o.id, name: o.user.name, text: quoteLine(o.body, { mentions: o.mentions }) } : null };
      });
    },

    /** The room's edits and deletions after a seq (a resuming client's `since`). */
    changes: (room: number, after: number, limit: number) => deps.live.messages.changes(room, after, limit),

    /**
     * The page `history` gives, as the bytes `JSON.stringify` makes of it; where the log keeps
     * messages as JSON they are passed through rather than parsed and written again.
     */
    async historyJson(room: number, query: PageQuery): Promise<Buffer> {
      const stored = await deps.live.messages.pageJson?.(room, query);
      if (!stored) return Buffer.from(JSON.stringify(await history(room, query)));
      const authors = stored.items.map(storedAuthor);
      const ids = [...authors.flatMap((a) => (a ? [a.id] : [])), ...stored.items.flatMap(storedMentionIds)];
      return serializeStoredPage(room, stored, authors, await currentNames(ids));
    },
  };
}

export type MessageService = ReturnType<typeof createMessageService>;
