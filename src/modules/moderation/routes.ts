import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { blankForm, handleForm, keptValues, type FormView } from '../../plugins/form-errors.js';
import { RateLimitedError } from '../../errors.js';
import { markLimited } from '../limits/user-limit.js';
import { parseInput } from '../../plugins/validate.js';
import { inviteLink } from '../registration/invite-link.js';
import { inviteState } from '../registration/invites.js';
import { csrfOnlySchema, roomInviteFormSchema, roomInviteParamsSchema } from '../registration/schemas.js';
import { safeNextPath } from '../auth/schemas.js';
import { roomMemberSchema, roomParamsSchema } from '../rooms/schemas.js';
import { auditQuerySchema, moderationFormSchema } from './schemas.js';

export default async function moderationRoutes(app: FastifyInstance) {
  const { moderation, rooms, invites, roomInviteLimit, config, now } = app.deps;
  const auth = { preHandler: app.requireUser };

  /** The panel; a private room's (not a DM's) has its invite links, listed by the same room check. */
  async function renderPanel(req: FastifyRequest, reply: FastifyReply, id: number, q: z.infer<typeof auditQuerySchema>, extra: object = {}) {
    const actor = req.user!;
    const panel = await moderation.panel(actor, id, {
      ...(q.action ? { action: q.action } : {}),
      ...(q.user ? { username: q.user } : {}),
      ...(q.before ? { before: q.before } : {}),
    });
    const invitable = panel.room.visibility === 'private' && panel.room.kind !== 'dm';
    const at = now();
    const [roomInvites, members] = invitable
      ? await Promise.all([invites.listForRoom(actor, id).then((list) => list.map((i) => ({ ...i, state: inviteState(i, at) }))), rooms.members(panel.room, actor)])
      : [[], []];
    return reply.view('pages/moderation/panel.njk', {
      ...panel,
      filter: { action: q.action ?? '', user: q.user ?? '' },
      canManage: rooms.canManage(panel.room, actor),
      csrf: reply.generateCsrf(),
      done: q.done === '1',
      invitable,
      roomInvites,
      members,
      inviteForm: blankForm({ uses: '1', expiresHours: '72' }),
      membersForm: blankForm(),
      ...extra,
    });
  }

  /** The panel: act without JavaScript, see who is restricted, read and filter the audit log. */
  app.get('/rooms/:id/moderation', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    return renderPanel(req, reply, id, parseInput(auditQuerySchema, req.query));
  });

  /**
   * A private room's members, added or removed by username. The room is checked first by the
   * service's one check (who may not see it gets its 404, who may not manage it a 403, whatever
   * they posted); an unknown name is told beside the field, the result inside the members card.
   */
  app.post('/rooms/:id/members', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const actor = req.user!;
    await rooms.membersRoom(id, actor);
    const render = (membersForm: FormView) => renderPanel(req, reply, id, {}, { membersForm });
    return handleForm(reply, { fields: ['username'], keep: ['username'], render }, async () => {
      const form = parseInput(roomMemberSchema, req.body);
      const target = await rooms.setMember(id, actor, form.username, form.action, { ip: req.ip });
      req.log.info({ event: 'room_member', action: form.action, roomId: id, actorId: actor.id, targetId: target.id }, 'room member changed');
      return renderPanel(req, reply, id, {}, { membersNotice: req.t(form.action === 'add' ? 'members.added' : 'members.removed', { name: target.username }) });
    });
  });

  /**
   * Room invite links: the room is checked before the form (who may not see it gets the unknown
   * room's 404, whatever they posted) and again by each action.
   */
  app.post('/rooms/:id/invites', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    await invites.assertManagesRoom(req.user!, id);
    const render = (inviteForm: FormView) => renderPanel(req, reply, id, {}, { inviteForm });
    const keep = ['uses', 'expiresHours'];
    return handleForm(reply, { fields: keep, keep, render }, async () => {
      const form = parseInput(roomInviteFormSchema, req.body);
      // Per user, every instance together: over it, the panel again with the form's notice.
      try {
        await roomInviteLimit.take(req.user!.id);
      } catch (err) {
        if (!(err instanceof RateLimitedError)) throw err;
        markLimited(req, reply, err);
        return render({ values: keptValues(req.body, keep), errors: {}, notice: req.t('limit.roomInvites', { minutes: Math.ceil(err.retryMs / 60_000) }) });
      }
      const { token, invite } = await invites.createForRoom(req.user!, id, { uses: form.uses, expiresHours: form.expiresHours }, { ip: req.ip });
      req.log.info({ event: 'room_invite_created', invite: invite.id, roomId: id, by: req.user!.id }, 'room invite created');
      return renderPanel(req, reply, id, {}, { created: inviteLink(req, config.publicUrl, token) });
    });
  });

  app.post('/rooms/:id/invites/:invite/revoke', auth, async (req, reply) => {
    const { id, invite } = parseInput(roomInviteParamsSchema, req.params);
    await invites.assertManagesRoom(req.user!, id);
    parseInput(csrfOnlySchema, req.body);
    await invites.revokeForRoom(req.user!, id, invite, { ip: req.ip });
    req.log.info({ event: 'room_invite_revoked', invite, roomId: id, by: req.user!.id }, 'room invite revoked');
    return renderPanel(req, reply, id, {}, { inviteNotice: req.t('invites.revoked') });
  });

  app.post('/rooms/:id/moderation', auth, async (req, reply) => {
    const { id } = parseInput(roomParamsSchema, req.params);
    const form = parseInput(moderationFormSchema, req.body);
    const result = await moderation.act(req.user!, id, {
      action: form.action,
      target: { ...(form.username ? { username: form.username } : {}), ...(form.userId !== undefined ? { userId: form.userId } : {}) },
      ...(form.messageId !== undefined ? { messageId: form.messageId } : {}),
      ...(form.minutes !== undefined ? { minutes: form.minutes } : {}),
      reason: form.reason,
    });
    req.log.info(
      { event: 'moderation', action: form.action, room: id, actorId: req.user!.id, targetId: result.target?.id, messageId: form.messageId },
      'moderation action',
    );
    if ((req.headers.accept ?? '').includes('application/json')) return { ok: true, until: result.until ?? null };
    return reply.redirect(form.next ? safeNextPath(form.next) : `/rooms/${id}/moderation?done=1`, 303);
  });
}
