import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';
import { sendError } from '../../../plugins/error-pages.js';
import { blankForm, handleForm, type FormView } from '../../../plugins/form-errors.js';
import { parseInput } from '../../../plugins/validate.js';
import { safeNextPath } from '../schemas.js';
import { pendingOf, pendingPath, startSignedInSession } from './pending.js';
import { codeFormSchema } from './schemas.js';

const CODE_FIELDS = ['code'] as const;

/**
 * Two-factor sign-in: the second step after the password (/login/2fa), enrolment at sign-in
 * for admins the site requires it of (/login/2fa/setup), and enrolment from the account page
 * (/account/2fa). Disabling is on the account page (account-routes.ts).
 */
export default async function twoFactorRoutes(app: FastifyInstance) {
  const { twoFactor, secondFactor, users, config, now } = app.deps;

  /** Where a recovery code is taken too (signing in), the message says so. */
  const wrongCode = (recovery = false) => new AppError('bad_request', 'wrong two-factor code', recovery ? 'twofa.wrongOrRecovery' : 'twofa.wrong', 'code');

  /**
   * The pending state, or a redirect to where this session belongs. A pending step whose
   * password or second factor changed since the password step is ended: signing in starts over.
   */
  async function pendingOr(req: FastifyRequest, reply: FastifyReply, enrol: boolean) {
    let pending = pendingOf(req.session, now());
    if (pending && pending.stamp !== (await twoFactor.credentialStamp(pending.userId))) {
      req.log.info({ event: 'twofa_pending_ended', userId: pending.userId, ip: req.ip }, 'credentials changed since the password step: pending sign-in ended');
      await req.session.regenerate();
      pending = undefined;
    }
    if (pending && !!pending.enrol === enrol) return pending;
    if (req.session.pending2fa && !pending) delete req.session.pending2fa;
    void reply.redirect(pending ? pendingPath(pending) : req.user ? '/rooms' : '/login', 303);
    return undefined;
  }

  /** Waits imposed on wrong codes, shared by every instance; a 429 page when over. */
  async function throttled(req: FastifyRequest, reply: FastifyReply, userId: number) {
    const wait = await secondFactor.admit(req.ip, userId);
    if (wait <= 0) return undefined;
    req.log.warn({ event: 'twofa_throttled', userId, ip: req.ip }, 'second factor throttled');
    reply.header('retry-after', Math.ceil(wait / 1000));
    return sendError(req, reply, 429, req.t('limit.twofa'));
  }

  // The second step.
  const renderStep = (reply: FastifyReply, form: FormView) => reply.view('pages/auth/two-factor.njk', { csrf: reply.generateCsrf(), form });

  app.get('/login/2fa', async (req, reply) => {
    if (!(await pendingOr(req, reply, false))) return reply;
    return renderStep(reply, blankForm());
  });

  app.post('/login/2fa', async (req, reply) => {
    const pending = await pendingOr(req, reply, false);
    if (!pending) return reply;
    return handleForm(reply, { fields: CODE_FIELDS, keep: [], render: (form) => renderStep(reply, form) }, async () => {
      const form = parseInput(codeFormSchema, req.body);
      const limited = await throttled(req, reply, pending.userId);
      if (limited) return limited;
      const user = await users.findById(pending.userId);
      if (!user || user.disabled) {
        delete req.session.pending2fa;
        return reply.redirect('/login', 303);
      }
      const used = await twoFactor.verify(user.id, form.code);
      if (!used) {
        req.log.info({ event: 'twofa_failed', userId: user.id, ip: req.ip }, 'second factor refused');
        throw wrongCode(true);
      }
      await secondFactor.succeeded(user.id);
      await startSignedInSession(req, user.id, { now: now(), remember: !!pending.remember, ttlMs: config.session.ttlMs });
      req.log.info({ event: 'login', userId: user.id, ip: req.ip, remember: !!pending.remember, factor: used }, 'signed in');
      return reply.redirect(safeNextPath(pending.next), 303);
    });
  });

  // Enrolment: the QR code and secret, then a code from the app to confirm; the recovery codes once.
  async function renderSetup(reply: FastifyReply, user: { id: number; username: string }, action: string, form: FormView, required = false) {
    const enrolment = await twoFactor.beginEnrolment(user);
    return reply.view('pages/auth/two-factor-setup.njk', { csrf: reply.generateCsrf(), form, action, required, ...enrolment });
  }
  const renderCodes = (reply: FastifyReply, codes: string[], next: string) => reply.view('pages/auth/two-factor-codes.njk', { codes, next });

  app.get('/login/2fa/setup', async (req, reply) => {
    const pending = await pendingOr(req, reply, true);
    if (!pending) return reply;
    const user = await users.findById(pending.userId);
    if (!user) return reply.redirect('/login', 303);
    return renderSetup(reply, user, '/login/2fa/setup', blankForm(), true);
  });

  /**
   * The enrolment form's code, checked under the second-step throttle: the new recovery codes,
   * or undefined when throttled (its page is sent); a wrong code throws the field error.
   */
  async function enrolmentConfirmed(req: FastifyRequest, reply: FastifyReply, userId: number): Promise<string[] | undefined> {
    const form = parseInput(codeFormSchema, req.body);
    if (await throttled(req, reply, userId)) return undefined;
    const codes = await twoFactor.confirmEnrolment(userId, form.code, { ip: req.ip });
    if (!codes) throw wrongCode();
    await secondFactor.succeeded(userId);
    return codes;
  }

  app.post('/login/2fa/setup', async (req, reply) => {
    const pending = await pendingOr(req, reply, true);
    if (!pending) return reply;
    const user = await users.findById(pending.userId);
    if (!user || user.disabled) {
      delete req.session.pending2fa;
      return reply.redirect('/login', 303);
    }
    return handleForm(reply, { fields: CODE_FIELDS, keep: [], render: (form) => renderSetup(reply, user, '/login/2fa/setup', form, true) }, async () => {
      const codes = await enrolmentConfirmed(req, reply, user.id);
      if (!codes) return reply;
      await startSignedInSession(req, user.id, { now: now(), remember: !!pending.remember, ttlMs: config.session.ttlMs });
      req.log.info({ event: 'twofa_enabled', userId: user.id, atSignIn: true }, 'two-factor enabled');
      req.log.info({ event: 'login', userId: user.id, ip: req.ip, remember: !!pending.remember, factor: 'enrolment' }, 'signed in');
      return renderCodes(reply, codes, safeNextPath(pending.next));
    });
  });

  const authOnly = { preHandler: app.requireUser };

  app.get('/account/2fa', authOnly, async (req, reply) => {
    if (await twoFactor.enabled(req.user!.id)) return reply.redirect('/account', 303);
    return renderSetup(reply, req.user!, '/account/2fa', blankForm());
  });

  app.post('/account/2fa', authOnly, async (req, reply) => {
    const user = req.user!;
    return handleForm(reply, { fields: CODE_FIELDS, keep: [], render: (form) => renderSetup(reply, user, '/account/2fa', form) }, async () => {
      const codes = await enrolmentConfirmed(req, reply, user.id);
      if (!codes) return reply;
      req.log.info({ event: 'twofa_enabled', userId: user.id }, 'two-factor enabled');
      return renderCodes(reply, codes, '/account');
    });
  });
}
