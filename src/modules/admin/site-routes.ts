import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { blankForm, handleForm, type FormView } from '../../plugins/form-errors.js';
import { parseInput } from '../../plugins/validate.js';
import { describeDetails, detailRefs } from '../audit/describe.js';
import { SITE_ACTIONS } from '../audit/log.js';
import { inviteLink } from '../registration/invite-link.js';
import { inviteState } from '../registration/invites.js';
import { auditQuerySchema, csrfOnlySchema, inviteFormSchema, inviteIdParamsSchema, settingsFormSchema } from '../registration/schemas.js';
import { REGISTRATION_MODES } from '../registration/settings.js';
import { PERMISSIONS } from '../users/permissions.js';

const AUDIT_PAGE = 50;
const DAY = 86_400_000;

/** The admin area's site pages: Settings and Audit log (admins), Invites (admins and user managers). */
export default async function siteAdminRoutes(app: FastifyInstance) {
  const { admin, settings, invites, siteAudit, users, rooms, config, now } = app.deps;
  const auth = { preHandler: app.requireUser };
  const assertAdmin = (req: FastifyRequest) => {
    if (!admin.isAdmin(req.user!)) throw new AppError('forbidden', 'Only admins see this page');
  };

  // Settings
  async function renderSettings(req: FastifyRequest, reply: FastifyReply, extra: object = {}) {
    assertAdmin(req);
    return reply.view('pages/admin/settings.njk', { registration: await settings.registration(), requireAdmin2fa: await settings.requireAdmin2fa(), modes: REGISTRATION_MODES, csrf: reply.generateCsrf(), form: blankForm(), ...extra });
  }
  app.get('/admin/settings', auth, (req, reply) => renderSettings(req, reply));
  app.post('/admin/settings', auth, async (req, reply) => {
    assertAdmin(req);
    const render = (form: FormView) => renderSettings(req, reply, { form });
    return handleForm(reply, { fields: ['registration'], keep: [], render }, async () => {
      const form = parseInput(settingsFormSchema, req.body);
      await settings.setRegistration(req.user!, form.registration, { ip: req.ip });
      await settings.setRequireAdmin2fa(req.user!, form.require_admin_2fa === '1', { ip: req.ip });
      req.log.info({ event: 'settings_changed', registration: form.registration, by: req.user!.id }, 'settings changed');
      return renderSettings(req, reply, { notice: req.t('settings.saved') });
    });
  });

  // Invites
  async function renderInvites(req: FastifyRequest, reply: FastifyReply, extra: object = {}) {
    const actor = req.user!;
    const [list, roomList] = await Promise.all([invites.list(actor), rooms.list()]);
    const at = now();
    const rows = list.map((i) => ({ ...i, state: inviteState(i, at), revocable: i.revokedAt === null && (admin.isAdmin(actor) || i.permissions.length === 0) }));
    return reply.view('pages/admin/invites.njk', {
      invites: rows,
      // Public rooms only: an invite cannot add anyone to a private room or a direct message.
      rooms: roomList.filter((r) => !r.archived && r.visibility === 'public'),
      roomNames: Object.fromEntries(roomList.map((r) => [r.id, r.name])),
      permissions: admin.isAdmin(actor) ? PERMISSIONS : [],
      registration: await settings.registration(),
      csrf: reply.generateCsrf(),
      form: blankForm({ uses: '1', expiresHours: '72' }),
      ...extra,
    });
  }
  app.get('/admin/invites', auth, (req, reply) => renderInvites(req, reply));
  app.post('/admin/invites', auth, async (req, reply) => {
    invites.assertMayInvite(req.user!);
    const render = (form: FormView) => renderInvites(req, reply, { form });
    return handleForm(reply, { fields: ['uses', 'expiresHours', 'permission', 'room'], keep: ['uses', 'expiresHours'], render }, async () => {
      const form = parseInput(inviteFormSchema, req.body);
      const { token, invite } = await invites.create(req.user!, { uses: form.uses, expiresHours: form.expiresHours, permissions: form.permission, rooms: form.room }, { ip: req.ip });
      req.log.info({ event: 'invite_created', invite: invite.id, by: req.user!.id }, 'invite created');
      return renderInvites(req, reply, { created: inviteLink(req, config.publicUrl, token) });
    });
  });
  app.post('/admin/invites/:id/revoke', auth, async (req, reply) => {
    invites.assertMayInvite(req.user!);
    const { id } = parseInput(inviteIdParamsSchema, req.params);
    const render = (actionForm: FormView) => renderInvites(req, reply, { actionForm });
    return handleForm(reply, { fields: [], keep: [], render }, async () => {
      parseInput(csrfOnlySchema, req.body);
      await invites.revoke(req.user!, id, { ip: req.ip });
      req.log.info({ event: 'invite_revoked', invite: id, by: req.user!.id }, 'invite revoked');
      return renderInvites(req, reply, { notice: req.t('invites.revoked') });
    });
  });

  // Audit log
  app.get('/admin/audit', auth, async (req, reply) => {
    assertAdmin(req);
    const q = parseInput(auditQuerySchema, req.query);
    /** A name that matches nobody filters to nothing (not to everything). */
    const idOf = async (name: string | undefined) => (name === undefined ? undefined : ((await users.findByUsername(name))?.id ?? 0));
    const [actorId, targetId] = await Promise.all([idOf(q.actor), idOf(q.target)]);
    const { entries, hasMore } = await siteAudit.list({
      ...(actorId !== undefined ? { actorId } : {}),
      ...(targetId !== undefined ? { targetId } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.from ? { from: Date.parse(q.from) } : {}),
      ...(q.to ? { to: Date.parse(q.to) + DAY } : {}),
      ...(q.before ? { before: q.before } : {}),
      limit: AUDIT_PAGE,
    });
    const mentioned = detailRefs(entries);
    const [people, roomList] = await Promise.all([
      users.findMany([...new Set([...entries.flatMap((e) => [e.actorId, e.targetId]).filter((id): id is number => id !== null), ...mentioned.users])]),
      mentioned.rooms.length ? rooms.list() : [],
    ]);
    const byId = new Map(people.map((u) => [u.id, u]));
    const names = new Map(people.map((u) => [u.id, u.displayName]));
    const roomNames = new Map(roomList.map((r) => [r.id, r.name]));
    const detailNames = { user: (id: number) => names.get(id), room: (id: number) => roomNames.get(id) };
    /** Every row names a person the same way: display name and @username (`#id` once the row is gone). */
    const person = (id: number | null) => {
      if (id === null) return null;
      const u = byId.get(id);
      return u ? { name: u.displayName, username: u.username } : { name: `#${id}`, username: null };
    };
    const shown = entries.map((e) => ({
      ...e,
      actor: person(e.actorId),
      target: person(e.targetId),
      detailLines: describeDetails(e.action, e.details, req.t, detailNames),
    }));
    const filter = { actor: q.actor ?? '', target: q.target ?? '', action: q.action ?? '', from: q.from ?? '', to: q.to ?? '' };
    const older = hasMore ? `/admin/audit?${new URLSearchParams({ ...filter, before: String(entries[entries.length - 1]!.id) }).toString()}` : null;
    return reply.view('pages/admin/audit.njk', { entries: shown, filter, actions: SITE_ACTIONS, older, csrf: reply.generateCsrf() });
  });
}
