import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { parseInput } from '../../plugins/validate.js';
import { PERMISSIONS } from '../users/permissions.js';
import { createUserSchema, permissionFormSchema, userActionSchema, userListQuerySchema, userParamsSchema } from './schemas.js';

export default async function adminRoutes(app: FastifyInstance) {
  const { admin } = app.deps;
  const auth = { preHandler: app.requireUser };

  async function renderUsers(req: FastifyRequest, reply: FastifyReply, extra: object = {}) {
    const query = parseInput(userListQuerySchema, req.method === 'GET' ? req.query : {});
    const list = await admin.list(req.user!, query.q, query.page);
    const actor = req.user!;
    // Rows show only the actions the rank rule allows (admin/service.ts): the forms check it again.
    const users = list.users.map((u) => ({ ...u, manageable: admin.mayManage(actor, u), self: u.id === actor.id }));
    return reply.view('pages/admin/users.njk', { ...list, users, q: query.q ?? '', csrf: reply.generateCsrf(), ...extra });
  }

  /** Known form errors re-render the page with the message; anything else goes to the error handler. */
  async function withFormErrors(reply: FastifyReply, render: (extra: object) => Promise<unknown>, fn: () => Promise<string>) {
    try {
      return await render({ notice: await fn() });
    } catch (err) {
      if (!(err instanceof AppError) || !['bad_request', 'conflict', 'not_found'].includes(err.code)) throw err;
      reply.code(err.statusCode);
      return render({ error: err.shown(reply.request.t) });
    }
  }

  app.get('/admin/users', auth, (req, reply) => renderUsers(req, reply));

  app.post('/admin/users', auth, async (req, reply) => {
    admin.assertCanManageUsers(req.user!);
    return withFormErrors(reply, (extra) => renderUsers(req, reply, extra), async () => {
      const form = parseInput(createUserSchema, req.body);
      const user = await admin.create(req.user!, { username: form.username, password: form.password, displayName: form.display_name });
      req.log.info({ event: 'user_created', userId: user.id, by: req.user!.id }, 'user created');
      return `Created ${user.username}`;
    });
  });

  app.post('/admin/users/:id', auth, async (req, reply) => {
    admin.assertCanManageUsers(req.user!);
    const { id } = parseInput(userParamsSchema, req.params);
    return withFormErrors(reply, (extra) => renderUsers(req, reply, extra), async () => {
      const form = parseInput(userActionSchema, req.body);
      const actor = req.user!;
      const user =
        form.action === 'reset_password'
          ? await admin.resetPassword(actor, id, form.password)
          : form.action === 'disable' || form.action === 'enable'
            ? await admin.setDisabled(actor, id, form.action === 'disable')
            : form.action === 'end_sessions'
              ? await admin.endAllSessions(actor, id)
              : await admin.delete(actor, id);
      req.log.info({ event: `user_${form.action}`, userId: id, by: actor.id }, 'user changed');
      return `${user.username}: ${form.action.replace('_', ' ')} done`;
    });
  });

  async function renderPermissions(req: FastifyRequest, reply: FastifyReply, extra: object = {}) {
    if (!admin.isAdmin(req.user!)) throw new AppError('forbidden', 'Only admins change permissions');
    const query = parseInput(userListQuerySchema, req.method === 'GET' ? req.query : {});
    const list = await admin.list(req.user!, query.q, query.page);
    return reply.view('pages/admin/permissions.njk', { ...list, q: query.q ?? '', permissions: PERMISSIONS, csrf: reply.generateCsrf(), ...extra });
  }

  app.get('/admin/permissions', auth, (req, reply) => renderPermissions(req, reply));

  app.post('/admin/permissions', auth, async (req, reply) => {
    if (!admin.isAdmin(req.user!)) throw new AppError('forbidden', 'Only admins change permissions');
    return withFormErrors(reply, (extra) => renderPermissions(req, reply, extra), async () => {
      const form = parseInput(permissionFormSchema, req.body);
      const user = await admin.setPermission(req.user!, form.username, form.permission, form.grant === '1');
      req.log.info({ event: 'permission_changed', userId: user.id, permission: form.permission, grant: form.grant === '1', by: req.user!.id }, 'permission changed');
      return `${user.username}: ${form.permission} ${form.grant === '1' ? 'granted' : 'revoked'}`;
    });
  });
}
