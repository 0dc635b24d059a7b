import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { blankForm, handleForm, type FormView } from '../../plugins/form-errors.js';
import { parseInput } from '../../plugins/validate.js';
import { PERMISSIONS } from '../users/permissions.js';
import type { MessageKey } from '../../i18n/en.js';
import { createUserSchema, permissionFormSchema, userActionSchema, userListQuerySchema, userParamsSchema } from './schemas.js';

const CREATE_USER_FIELDS = ['username', 'display_name', 'password'] as const;
const PERMISSION_FIELDS = ['username', 'permission', 'grant'] as const;

export default async function adminRoutes(app: FastifyInstance) {
  const { admin } = app.deps;
  const auth = { preHandler: app.requireUser };

  async function renderUsers(req: FastifyRequest, reply: FastifyReply, extra: object = {}) {
    const query = parseInput(userListQuerySchema, req.method === 'GET' ? req.query : {});
    const list = await admin.list(req.user!, query.q, query.page);
    const actor = req.user!;
    // Rows show only the actions the rank rule allows (admin/service.ts): the forms check it again.
    const users = list.users.map((u) => ({ ...u, manageable: admin.mayManage(actor, u), self: u.id === actor.id }));
    return reply.view('pages/admin/users.njk', { ...list, users, q: query.q ?? '', csrf: reply.generateCsrf(), form: blankForm(), ...extra });
  }

  app.get('/admin/users', auth, (req, reply) => renderUsers(req, reply));

  app.post('/admin/users', auth, async (req, reply) => {
    admin.assertCanManageUsers(req.user!);
    const render = (form: FormView) => renderUsers(req, reply, { form });
    return handleForm(reply, { fields: CREATE_USER_FIELDS, keep: ['username', 'display_name'], render }, async () => {
      const form = parseInput(createUserSchema, req.body);
      const user = await admin.create(req.user!, { username: form.username, password: form.password, displayName: form.display_name }, { ip: req.ip });
      req.log.info({ event: 'user_created', userId: user.id, by: req.user!.id }, 'user created');
      return renderUsers(req, reply, { notice: req.t('admin.created', { name: user.username }) });
    });
  });

  app.post('/admin/users/:id', auth, async (req, reply) => {
    admin.assertCanManageUsers(req.user!);
    const { id } = parseInput(userParamsSchema, req.params);
    // A row's forms have no room for messages: theirs show at the top of the page.
    const render = (actionForm: FormView) => renderUsers(req, reply, { actionForm });
    return handleForm(reply, { fields: [], keep: [], render }, async () => {
      const form = parseInput(userActionSchema, req.body);
      const actor = req.user!;
      const origin = { ip: req.ip };
      const user =
        form.action === 'reset_password'
          ? await admin.resetPassword(actor, id, form.password, origin)
          : form.action === 'disable' || form.action === 'enable'
            ? await admin.setDisabled(actor, id, form.action === 'disable', origin)
            : form.action === 'end_sessions'
              ? await admin.endAllSessions(actor, id)
              : await admin.delete(actor, id, origin);
      req.log.info({ event: `user_${form.action}`, userId: id, by: actor.id }, 'user changed');
      return renderUsers(req, reply, { notice: req.t(`admin.done.${form.action}`, { name: user.username }) });
    });
  });

  async function renderPermissions(req: FastifyRequest, reply: FastifyReply, extra: object = {}) {
    if (!admin.isAdmin(req.user!)) throw new AppError('forbidden', 'Only admins change permissions');
    const query = parseInput(userListQuerySchema, req.method === 'GET' ? req.query : {});
    const list = await admin.list(req.user!, query.q, query.page);
    return reply.view('pages/admin/permissions.njk', { ...list, q: query.q ?? '', permissions: PERMISSIONS, csrf: reply.generateCsrf(), form: blankForm(), ...extra });
  }

  app.get('/admin/permissions', auth, (req, reply) => renderPermissions(req, reply));

  app.post('/admin/permissions', auth, async (req, reply) => {
    if (!admin.isAdmin(req.user!)) throw new AppError('forbidden', 'Only admins change permissions');
    const render = (form: FormView) => renderPermissions(req, reply, { form });
    return handleForm(reply, { fields: PERMISSION_FIELDS, keep: PERMISSION_FIELDS, render }, async () => {
      const form = parseInput(permissionFormSchema, req.body);
      const grant = form.grant === '1';
      const user = await admin.setPermission(req.user!, form.username, form.permission, grant, { ip: req.ip });
      req.log.info({ event: 'permission_changed', userId: user.id, permission: form.permission, grant, by: req.user!.id }, 'permission changed');
      const permission = req.t(`perm.${form.permission}` as MessageKey);
      return renderPermissions(req, reply, { notice: req.t(grant ? 'admin.granted' : 'admin.revoked', { name: user.username, permission }) });
    });
  });
}
