import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, RateLimitedError, RestrictedError } from '../../errors.js';
import { blankForm, handleForm } from '../../plugins/form-errors.js';
import { parseInput } from '../../plugins/validate.js';
import { createMessageHtml, type MessageView } from '../messages/message-html.js';
import { tooMany } from '../limits/user-limit.js';
import { createRestrictedList } from '../moderation/restricted.js';
import { canModerate } from '../moderation/roles.js';
import { createChatPage } from './chat-page.js';
import type { Room } from './repository.js';
import { archiveSchema, createRoomSchema, deleteRoomSchema, joinRoomSchema, roomListQuerySchema, roomParamsSchema, roomSettingsSchema } from './schemas.js';

const chatQuerySchema = z.strictObject({ before: z.coerce.number().int().positive().optional() });

/** The create form's fields: each shows its own message and keeps its value. */
const CREATE_FIELDS = ['name', 'description', 'visibility'] as const;

export default async function roomRoutes(app: FastifyInstance) {
  const { rooms, roomViews, unread } = app.deps;
  const auth = { preHandler: app.requireUser };
  const messageHtml = createMessageHtml((m, view: MessageView & { t: FastifyRequest['t'] }) =>
    app.renderPartial('partials/message.njk', { m, canModerate: view.canModerate, t: view.t}),
  );
  const restrictedIn = createRestrictedList(app.deps);
  const chatPage = createChatPage({ render: app.renderPartial, messagesHtml: messageHtml.list, editWindowMs: app.deps.config.editWindowMs });

  async function renderList(req: FastifyRequest, reply: FastifyReply, extra: object = {}) {
    const user = req.user!;
    const { q, after, before } = parseInput(roomListQuerySchema, req.method === 'GET' ? req.query : {});
    // The user's own rooms, with unread counts, head the unfiltered first page.
    const first = q === undefined && after === undefined && before === undefined;
    const [page, all, blockedIds] = await Promise.all([
      rooms.page({ search: q, after, before }, user),
      first ? unread.summaries(user.id) : [],
      first ? app.deps.blocks.blockedBy(user.id) : [],
    ]);
    // A preview of a message by someone the reader blocked says only that (as the chat collapses it).
    const blocked = new Set(blockedIds);
    const summaries = all.map((s) => ({ ...s, previewBlocked: s.preview !== null && blocked.has(s.preview.user.id) }));
    // Direct messages have their own section, each named by the other person.
    const mine = summaries.filter((s) => s.room.kind !== 'dm');
    const dmRows = summaries.filter((s) => s.room.kind === 'dm');
    const otherOf = (s: (typeof dmRows)[number]) => s.room.dmUsers?.find((id) => id !== user.id) ?? user.id;
    const names = new Map((await app.deps.users.refs(dmRows.map(otherOf))).map((r) => [r.id, r.name]));
    const dms = dmRows.map((s) => ({ ...s, with: names.get(otherOf(s)) ?? '' }));
    return reply.view('pages/rooms/list.njk', {
      mine,
      dms,
      // On the unfiltered first page only: someone in no room at all is told how to get into one.
      inNoRoom: first && all.length === 0,
      unreadTotal: summaries.reduce((n, s) => n + s.count, 0),
      blockedIds: [...blocked],
      rooms: page.rooms,
      q: q ?? '',
      prev: page.prev,
      next: page.next,
      canCreate: rooms.canCreate(user),
      csrf: reply.generateCsrf(),
      form: blankForm(),
      ...extra,
    });
  }

  app.get('/rooms', auth, (req, reply) => renderList(req, reply));

  app.post('/rooms', auth, async (req, reply) => {
    const user = req.user!;
    // Permission first: someone who may not create rooms learns nothing from validation.
    if (!rooms.canCreate(user)) throw new AppError('forbidden', 'You may not create rooms');
    const render = (form: object) => renderList(req, reply, { form });
    try {
      return await handleForm(reply, { fields: CREATE_FIELDS, keep: CREATE_FIELDS, render }, async () => {
        const form = parseInput(createRoomSchema, req.body);
        const room = await rooms.create(user, { name: form.name, description: form.description, visibility: form.visibility }, { ip: req.ip });
        req.log.info({ event: 'room_created', roomId: room.id, userId: user.id }, 'room created');
        return reply.redirect(`/rooms/${room.id}`, 303);
      });
    } catch (err) {
      if (err instanceof RateLimitedError) return tooMany(req, reply, err, req.t('limit.rooms'));
      throw err;
    }
  });

  // The gate's read goes to Redis with the session's, not after it (plugins/early-reads.ts).
  const earlyGate = app.earlyRead((req, userId) => {
    const params = roomParamsSchema.safeParse(req.params);
    return params.success ? rooms.restrictions(params.data.id, userId) : undefined;
  });

  /**
   * A kicked or banned reader's answer (403) for the room: a page that says until when and leads
   * back to the room list, not an error page. Any other failure goes on to the error pages.
   */
  async function removedPage(req: FastifyRequest, reply: FastifyReply, id: number, err: unknown) {
    if (!(err instanceof RestrictedError) || (err.restriction !== 'kicked' && err.restriction !== 'banned')) throw err;
    const room = await rooms.getRecent(id);
    req.log.info({ event: 'room_barred', roomId: id, userId: req.user!.id, restriction: err.restriction }, 'barred reader');
    return reply.code(403).view('pages/rooms/removed.njk', { room, code: err.restriction, until: err.until, csrf: reply.generateCsrf() });
  }

  app.get('/rooms/:id', { ...auth, config: earlyGate.config }, async (req, reply) => {
    const user = req.user!;
    const { id } = parseInput(roomParamsSchema, req.params);
    const { before } = parseInput(chatQuerySchema, req.query);
    // The newest page is the room's kept view; an older one is read for this request.
    const readView = () => (before === undefined ? roomViews.get(id) : roomViews.older(id, before));
    // Read together; the view is used only once the entry check has passed, which also read
    // the viewer's own restrictions (for the mute banner).
    // Whoever moderates every room (admin, moderate) reads the Restricted list alongside; a
    // room's owner reads it once the room says they own it.
    const anyRoom = canModerate(user, { ownerId: -1 });
    const early = anyRoom ? restrictedIn(id) : undefined;
    early?.catch(() => {}); // awaited below, unless the entry fails first
    const lastRead = unread.lastRead(user.id, id);
    lastRead.catch(() => {}); // awaited below, unless the entry fails first
    const blockedIds = app.deps.blocks.blockedBy(user.id);
    blockedIds.catch(() => {}); // awaited below, unless the entry fails first
    const [entered, view] = await Promise.allSettled([rooms.enter(id, user, earlyGate.take(req, user.id)), readView()]);
    if (entered.status === 'rejected') return removedPage(req, reply, id, entered.reason);
    if (view.status === 'rejected') throw view.reason;
    const { mine } = entered.value;
    // A direct message is named by the other person (both, for an admin reading it).
    const room = entered.value.room.kind === 'dm' ? await dmNamed(entered.value.room, user.id) : entered.value.room;
    const blocked = new Set(await blockedIds);
    const otherId = room.dmUsers?.includes(user.id) ? room.dmUsers.find((u) => u !== user.id) : undefined;
    const dmWith = otherId === undefined ? undefined : { id: otherId, name: room.name, blocked: blocked.has(otherId) };
    const moderator = canModerate(user, room);
    // A moderator's page lists who is restricted (with a one-click lift) and menus that fit each member.
    const restricted = moderator ? await (early ?? restrictedIn(room.id)) : [];
    // A muted reader's closed composer says why, after a reload too (the reason is in the audit log).
    const muteReason = mine.mute === undefined ? '' : await app.deps.audit.muteReason(room.id, user.id);
    // Viewing changes nothing (GET and HEAD alike): a non-member reads the room and gets a Join
    // button (POST /rooms/:id/join) instead of the composer.
    const page = chatPage({
      room,
      view: view.value,
      member: view.value.memberIds.has(user.id),
      viewingOlder: before !== undefined,
      user,
      moderator,
      restricted,
      mine,
      muteReason,
      locale: req.locale,
      t: req.t,
      csrf: reply.generateCsrf(),
      path: req.url,
      lastRead: await lastRead,
      blocked,
      ...(dmWith ? { dmWith } : {}),
    });
    return reply.type('text/html; charset=utf-8').send(page);
  });

  /** The DM as the reader sees it: named by the other person (a new object, so its page is built afresh). */
  async function dmNamed(room: Room, readerId: number): Promise<Room> {
    const others = (room.dmUsers ?? []).filter((id) => id !== readerId);
    const refs = await app.deps.users.refs(others);
    return { ...room, name: refs.map((r) => r.name).join(', ') };
  }

  app.post('/rooms/:id/join', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    parseInput(joinRoomSchema, req.body);
    // Refused when barred; the join's event drops the kept view, so the redirect shows the member.
    try {
      await rooms.join(id, req.user!);
    } catch (err) {
      return removedPage(req, reply, id, err);
    }
    req.log.info({ event: 'room_joined', roomId: id, userId: req.user!.id }, 'room joined');
    return reply.redirect(`/rooms/${id}`, 303);
  });

  app.post('/rooms/:id/leave', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    await rooms.leave(id, req.user!);
    return reply.redirect('/rooms', 303);
  });

  app.post('/rooms/:id/settings', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const form = parseInput(roomSettingsSchema, req.body);
    await rooms.update(id, req.user!, { description: form.description });
    return reply.redirect(`/rooms/${id}/moderation?done=1`, 303);
  });

  app.post('/rooms/:id/archive', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const form = parseInput(archiveSchema, req.body);
    await rooms.update(id, req.user!, { archived: form.archived === '1' }, { ip: req.ip });
    req.log.info({ event: 'room_archived', roomId: id, archived: form.archived === '1', userId: req.user!.id }, 'room archive changed');
    return reply.redirect(`/rooms/${id}`, 303);
  });

  app.post('/rooms/:id/delete', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    parseInput(deleteRoomSchema, req.body);
    await rooms.delete(id, req.user!, { ip: req.ip });
    req.log.info({ event: 'room_deleted', roomId: id, userId: req.user!.id }, 'room deleted');
    return reply.redirect('/rooms', 303);
  });
}
