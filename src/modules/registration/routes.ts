import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, RateLimitedError, RestrictedError } from '../../errors.js';
import { blankForm, handleForm, type FormView } from '../../plugins/form-errors.js';
import { parseInput } from '../../plugins/validate.js';
import type { MessageKey } from '../../i18n/en.js';
import { tooMany } from '../limits/user-limit.js';
import type { Room } from '../rooms/repository.js';
import { inviteState, type Invite } from './invites.js';
import { csrfOnlySchema, inviteParamsSchema, inviteTokenSchema, registerSchema } from './schemas.js';

const FIELDS = ['username', 'password', 'password2'] as const;

/**
 * Signing up: /register (open registration) and /invite/TOKEN (an invite link), both posting to
 * /register. A room invite's /invite/TOKEN is the room's door: a signed-in user joins with a
 * button (POST /invite/TOKEN/join); a signed-out one is offered sign-in (returning there) and,
 * only while registration is open, an account that joins the room.
 */
export default async function registrationRoutes(app: FastifyInstance) {
  const { registration, invites, rooms, settings, users, now } = app.deps;

  const renderForm = (reply: FastifyReply, form: FormView, invite: string | undefined) =>
    reply.view('pages/auth/register.njk', { csrf: reply.generateCsrf(), form, invite: invite ?? '' });

  /** Registration is not available to this reader: a page that says why (never a bare 404). */
  const renderRefused = (req: FastifyRequest, reply: FastifyReply, why: 'closed' | 'inviteOnly' | 'inviteUnusable' | 'roomInviteOnly') => {
    reply.code(403);
    return reply.view('pages/auth/register.njk', { csrf: reply.generateCsrf(), refused: req.t(`register.${why}` as MessageKey) });
  };

  async function show(req: FastifyRequest, reply: FastifyReply, token: string | undefined) {
    if (req.user) return reply.redirect('/rooms', 303);
    const gate = await registration.gate(token);
    if (gate.refused) return renderRefused(req, reply, gate.refused);
    return renderForm(reply, blankForm(), token);
  }

  app.get('/register', (req, reply) => show(req, reply, undefined));

  /** A room invite that cannot be used, or not by this reader: a page that says why (410 or 403, never a 500). */
  const refuseRoomInvite = (req: FastifyRequest, reply: FastifyReply, key: MessageKey, code = 410) =>
    reply.code(code).view('pages/auth/room-invite.njk', { refused: req.t(key) });
  const refusal = (err: unknown): [MessageKey, number] | undefined => {
    if (err instanceof RestrictedError && (err.restriction === 'kicked' || err.restriction === 'banned')) return ['roomInvite.barred', 403];
    if (err instanceof AppError && (err.key === 'invite.unusable' || err.key === 'roomInvite.gone')) return [err.key === 'invite.unusable' ? 'register.inviteUnusable' : 'roomInvite.gone', 410];
    return undefined;
  };

  async function showRoomInvite(req: FastifyRequest, reply: FastifyReply, token: string, invite: Invite & { roomId: number }) {
    if (inviteState(invite, now()) !== 'usable') return refuseRoomInvite(req, reply, 'register.inviteUnusable');
    const room: Room | undefined = await rooms.get(invite.roomId).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'not_found') return undefined;
      throw err;
    });
    if (!room || room.archived || room.kind === 'dm') return refuseRoomInvite(req, reply, 'roomInvite.gone');
    const [inviter] = await users.refs([invite.createdBy]);
    const view = { room: { id: room.id, name: room.name }, inviter: inviter?.name ?? '', token, csrf: reply.generateCsrf() };
    const user = req.user;
    if (user) {
      try {
        await rooms.assertCanEnter(room, user);
      } catch (err) {
        const refused = refusal(err);
        if (!refused) throw err;
        return refuseRoomInvite(req, reply, ...refused);
      }
      return reply.view('pages/auth/room-invite.njk', { ...view, member: await rooms.canSee(room, user) });
    }
    // Closed: accounts come from the administrators; invite mode: from a sign-up link of its own.
    const mode = await settings.registration();
    return reply.view('pages/auth/room-invite.njk', { ...view, signedOut: true, open: mode === 'open', inviteMode: mode === 'invite', next: `/invite/${token}`, form: blankForm(), invite: token, noAutofocus: true });
  }

  app.get('/invite/:token', async (req, reply) => {
    const { token } = parseInput(inviteParamsSchema, req.params);
    // Not even shaped like a token: told as an unusable invite, without a database read.
    if (!inviteTokenSchema.safeParse(token).success) return renderRefused(req, reply, 'inviteUnusable');
    const invite = await invites.findByToken(token);
    if (invite && invite.roomId !== null) return showRoomInvite(req, reply, token, { ...invite, roomId: invite.roomId });
    return show(req, reply, token);
  });

  /** Joining by a room invite: idempotent (a member is sent on, using nothing), one use otherwise. */
  app.post('/invite/:token/join', { preHandler: app.requireUser }, async (req, reply) => {
    const { token } = parseInput(inviteParamsSchema, req.params);
    parseInput(csrfOnlySchema, req.body);
    if (!inviteTokenSchema.safeParse(token).success) return refuseRoomInvite(req, reply, 'register.inviteUnusable');
    const user = req.user!;
    try {
      const { room, joined } = await invites.joinRoom(user, token, { ip: req.ip });
      req.log.info({ event: 'room_invite_join', roomId: room.id, userId: user.id, joined }, 'joined by invite');
      return await reply.redirect(`/rooms/${room.id}`, 303);
    } catch (err) {
      const refused = refusal(err);
      if (!refused) throw err;
      req.log.info({ event: 'room_invite_refused', userId: user.id, reason: refused[0] }, 'room invite refused');
      return refuseRoomInvite(req, reply, ...refused);
    }
  });

  app.post('/register', async (req, reply) => {
    const posted = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const invite = typeof posted.invite === 'string' && inviteTokenSchema.safeParse(posted.invite).success ? posted.invite : undefined;
    const render = (form: FormView) => renderForm(reply, form, invite);
    try {
      return await handleForm(reply, { fields: FIELDS, keep: ['username'], render }, async () => {
        const form = parseInput(registerSchema, req.body);
        const { user, room } = await registration.register({ username: form.username, password: form.password, invite: form.invite }, { ip: req.ip });
        // A new session id at sign-up, as at sign-in (no fixation).
        await req.session.regenerate();
        req.session.userId = user.id;
        req.session.createdAt = req.session.seenAt = now();
        req.log.info({ event: 'user_registered', userId: user.id, ip: req.ip, invite: form.invite !== undefined }, 'signed up');
        // A room invite's new member lands in its room.
        return reply.redirect(room === null ? '/rooms' : `/rooms/${room}`, 303);
      });
    } catch (err) {
      if (err instanceof RateLimitedError) return tooMany(req, reply, err, req.t('limit.register'));
      if (err instanceof AppError && err.code === 'forbidden' && (err.key === 'register.closed' || err.key === 'register.inviteOnly' || err.key === 'register.roomInviteOnly')) {
        req.log.info({ event: 'register_refused', ip: req.ip, reason: err.key }, 'sign-up refused');
        return renderRefused(req, reply, err.key === 'register.closed' ? 'closed' : err.key === 'register.inviteOnly' ? 'inviteOnly' : 'roomInviteOnly');
      }
      throw err;
    }
  });
}
