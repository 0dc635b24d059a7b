import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, RateLimitedError } from '../../errors.js';
import { blankForm, handleForm, type FormView } from '../../plugins/form-errors.js';
import { parseInput } from '../../plugins/validate.js';
import type { MessageKey } from '../../i18n/en.js';
import { tooMany } from '../limits/user-limit.js';
import { inviteParamsSchema, inviteTokenSchema, registerSchema } from './schemas.js';

const FIELDS = ['username', 'password', 'password2'] as const;

/** Signing up: /register (open registration) and /invite/TOKEN (an invite link), both posting to /register. */
export default async function registrationRoutes(app: FastifyInstance) {
  const { registration, now } = app.deps;

  const renderForm = (reply: FastifyReply, form: FormView, invite: string | undefined) =>
    reply.view('pages/auth/register.njk', { csrf: reply.generateCsrf(), form, invite: invite ?? '' });

  /** Registration is not available to this reader: a page that says why (never a bare 404). */
  const renderRefused = (req: FastifyRequest, reply: FastifyReply, why: 'closed' | 'inviteOnly' | 'inviteUnusable') => {
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

  app.get('/invite/:token', (req, reply) => {
    const { token } = parseInput(inviteParamsSchema, req.params);
    // Not even shaped like a token: told as an unusable invite, without a database read.
    if (!inviteTokenSchema.safeParse(token).success) return renderRefused(req, reply, 'inviteUnusable');
    return show(req, reply, token);
  });

  app.post('/register', async (req, reply) => {
    const posted = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const invite = typeof posted.invite === 'string' && inviteTokenSchema.safeParse(posted.invite).success ? posted.invite : undefined;
    const render = (form: FormView) => renderForm(reply, form, invite);
    try {
      return await handleForm(reply, { fields: FIELDS, keep: ['username'], render }, async () => {
        const form = parseInput(registerSchema, req.body);
        const user = await registration.register({ username: form.username, password: form.password, invite: form.invite }, { ip: req.ip });
        // A new session id at sign-up, as at sign-in (no fixation).
        await req.session.regenerate();
        req.session.userId = user.id;
        req.session.createdAt = req.session.seenAt = now();
        req.log.info({ event: 'user_registered', userId: user.id, ip: req.ip, invite: form.invite !== undefined }, 'signed up');
        return reply.redirect('/rooms', 303);
      });
    } catch (err) {
      if (err instanceof RateLimitedError) return tooMany(req, reply, err, req.t('limit.register'));
      if (err instanceof AppError && err.code === 'forbidden' && (err.key === 'register.closed' || err.key === 'register.inviteOnly')) {
        req.log.info({ event: 'register_refused', ip: req.ip, reason: err.key }, 'sign-up refused');
        return renderRefused(req, reply, err.key === 'register.closed' ? 'closed' : 'inviteOnly');
      }
      throw err;
    }
  });
}
