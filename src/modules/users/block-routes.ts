import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { parseInput } from '../../plugins/validate.js';
import { safeNextPath } from '../auth/schemas.js';

/** POST /blocks: the person by `username` or `userId` (the member list's and DM page's buttons). */
const blockFormSchema = z
  .strictObject({
    username: z.string().trim().min(1).max(64).optional(),
    userId: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
    action: z.enum(['block', 'unblock']),
    next: z.string().max(2000).optional(),
    _csrf: z.string(),
  })
  .refine((v) => (v.username === undefined) !== (v.userId === undefined), 'give username or userId');

/** Blocking (src/modules/users/blocks.ts): the form, and GET /blocks, the list with Unblock buttons. */
export default async function blockRoutes(app: FastifyInstance) {
  const { blocks, users } = app.deps;
  const auth = { preHandler: app.requireUser };

  app.get('/blocks', auth, async (req, reply) => {
    const refs = await users.refs(await blocks.blockedBy(req.user!.id));
    return reply.view('pages/account/blocks.njk', { blocked: refs, csrf: reply.generateCsrf() });
  });

  app.post('/blocks', auth, async (req, reply) => {
    const form = parseInput(blockFormSchema, req.body);
    const user = req.user!;
    const other = form.username !== undefined ? await users.findByUsername(form.username) : await users.findById(form.userId!);
    if (!other) throw new AppError('not_found', 'No such user', 'members.err.noUser');
    if (other.id === user.id) throw new AppError('bad_request', 'You cannot block yourself', 'block.err.self');
    if (form.action === 'block') await blocks.block(user.id, other.id);
    else await blocks.unblock(user.id, other.id);
    req.log.info({ event: form.action, userId: user.id, otherId: other.id }, 'block changed');
    return reply.redirect(form.next ? safeNextPath(form.next) : '/blocks', 303);
  });
}
