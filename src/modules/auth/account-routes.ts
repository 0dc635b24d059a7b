import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { sendError } from '../../plugins/error-pages.js';
import { LOCALES } from '../../i18n/index.js';
import { nameSchema } from '../users/names.js';
import { themeSchema } from '../users/preferences.js';
import type { User } from '../users/repository.js';
import { blankForm, handleForm, type FormView } from '../../plugins/form-errors.js';
import { parseInput } from '../../plugins/validate.js';
import { CloseCodes } from '../../shared/protocol.js';
import { passwordSchema } from '../admin/schemas.js';
import { isWeakPassword } from './common-passwords.js';
import { disableFormSchema } from './two-factor/schemas.js';

const changePasswordSchema = z.strictObject({
  current: z.string().max(1024),
  password: passwordSchema,
  end_others: z.literal('1').optional(),
  _csrf: z.string(),
});

/** 'browser': no language of one's own, follow the browser's. */
const BROWSER = 'browser';
const settingsSchema = z.strictObject({
  display_name: nameSchema(1, 64),
  locale: z.enum([BROWSER, ...LOCALES]).transform((l) => (l === BROWSER ? null : l)),
  theme: themeSchema,
  _csrf: z.string(),
});

/** The settings form's fields: each shows its own message and keeps what was typed. */
const SETTINGS_FIELDS = ['display_name', 'locale', 'theme'] as const;
/** The password form's fields: messages beside them; nothing typed is written back. */
const PASSWORD_FIELDS = ['current', 'password'] as const;
/** The two-factor disable form's fields (two-factor/schemas.ts). */
const TWO_FACTOR_FIELDS = ['current', 'code'] as const;

const storedValues = (u: User) => ({ display_name: u.displayName, locale: u.locale ?? BROWSER, theme: u.theme });

const savedQuerySchema = z.object({ saved: z.literal('1').optional() });

/**
 * /account: the signed-in user's own settings (display name, language, theme) and password
 * (the current one is required).
 */
export default async function accountRoutes(app: FastifyInstance) {
  const { auth, users, hasher, live, events, now, passwordCheck, accountSettings, twoFactor } = app.deps;
  const authOnly = { preHandler: app.requireUser };

  /**
   * The page: one form per section (views/pages/account/*.njk), each with its own values and
   * messages (plugins/form-errors.ts); a section not posted shows the stored settings.
   */
  const render = async (reply: FastifyReply, extra: { settings?: FormView; password?: FormView; twoFactor?: FormView; notice?: string } = {}) =>
    reply.view('pages/account/account.njk', {
      csrf: reply.generateCsrf(),
      settings: extra.settings ?? blankForm(storedValues(reply.request.user!)),
      password: extra.password ?? blankForm(),
      twoFactor: extra.twoFactor ?? blankForm(),
      twoFactorOn: await twoFactor.enabled(reply.request.user!.id),
      recoveryLeft: await twoFactor.remainingRecoveryCodes(reply.request.user!.id),
      ...(extra.notice ? { notice: extra.notice } : {}),
    });

  app.get('/account', authOnly, (req, reply) => {
    const { saved } = parseInput(savedQuerySchema, req.query);
    return render(reply, saved ? { notice: req.t('account.saved') } : {});
  });

  app.post('/account', authOnly, async (req, reply) => {
    const user = req.user!;
    const form = { fields: SETTINGS_FIELDS, keep: SETTINGS_FIELDS, render: (settings: FormView) => render(reply, { settings }) };
    return handleForm(reply, form, async () => {
      const form = parseInput(settingsSchema, req.body);
      await accountSettings.save(user, { displayName: form.display_name, locale: form.locale, theme: form.theme });
      req.log.info({ event: 'account_settings_saved', userId: user.id, renamed: form.display_name !== user.displayName }, 'account settings saved');
      // A new page load, so the new language and theme are this page's.
      return reply.redirect('/account?saved=1', 303);
    });
  });

  /**
   * The signed-in user's current password, checked under the per-account throttle: false when
   * throttled (the 429 page is sent), throws a field error when wrong. The caller records a
   * success (`passwordCheck.succeeded`) once everything it asks for is right.
   */
  async function currentPasswordChecked(req: FastifyRequest, reply: FastifyReply, current: string): Promise<boolean> {
    const user = req.user!;
    const wait = await passwordCheck.admit(user.id);
    if (wait > 0) {
      req.log.warn({ event: 'password_check_throttled', userId: user.id }, 'current-password check throttled');
      reply.header('retry-after', Math.ceil(wait / 1000));
      await sendError(req, reply, 429, req.t('limit.password'));
      return false;
    }
    if (!(await auth.authenticate(user.username, current))) throw new AppError('bad_request', 'current: wrong password', 'account.wrongCurrent', 'current');
    return true;
  }

  app.post('/account/password', authOnly, async (req, reply) => {
    const user = req.user!;
    const form = { fields: PASSWORD_FIELDS, keep: [], render: (password: FormView) => render(reply, { password }) };
    return handleForm(reply, form, async () => {
      const form = parseInput(changePasswordSchema, req.body);
      if (!(await currentPasswordChecked(req, reply, form.current))) return reply;
      await passwordCheck.succeeded(user.id);
      if (isWeakPassword(form.password, user.username)) throw new AppError('bad_request', 'password: must not be based on the username', 'password.username', 'password');
      await users.setPasswordHash(user.id, await hasher.hash(form.password));
      req.log.info({ event: 'password_changed', userId: user.id, endedOthers: !!form.end_others }, 'password changed');
      if (form.end_others) {
        // End every session, then give this browser a fresh one: only this device stays signed in.
        const ended = await live.sessions.destroyAllForUser(user.id);
        await events.control({ type: 'close-sessions', sessionIds: ended, code: CloseCodes.sessionGone });
        await req.session.regenerate();
        req.session.userId = user.id;
        req.session.createdAt = req.session.seenAt = now();
      }
      return render(reply, { notice: req.t('account.changed') });
    });
  });

  // Two-factor off: the current password and a code (or recovery code), counted like the
  // password check, so a stolen session is no way to guess either.
  app.post('/account/2fa/disable', authOnly, async (req, reply) => {
    const user = req.user!;
    const form = { fields: TWO_FACTOR_FIELDS, keep: [], render: (twoFactor: FormView) => render(reply, { twoFactor }) };
    return handleForm(reply, form, async () => {
      const form = parseInput(disableFormSchema, req.body);
      if (!(await currentPasswordChecked(req, reply, form.current))) return reply;
      if (!(await twoFactor.verify(user.id, form.code))) throw new AppError('bad_request', 'code: wrong code', 'twofa.wrongOrRecovery', 'code');
      await passwordCheck.succeeded(user.id);
      await twoFactor.disable(user.id, { ip: req.ip });
      req.log.info({ event: 'twofa_disabled', userId: user.id }, 'two-factor disabled');
      return render(reply, { notice: req.t('twofa.disabled') });
    });
  });
}
