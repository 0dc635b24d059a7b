import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { sendError } from '../../plugins/error-pages.js';
import { LOCALES } from '../../i18n/index.js';
import type { MessageKey } from '../../i18n/en.js';
import { nameSchema } from '../users/names.js';
import { themeSchema } from '../users/preferences.js';
import type { User } from '../users/repository.js';
import { parseInput } from '../../plugins/validate.js';
import { CloseCodes } from '../../shared/protocol.js';
import { passwordSchema } from '../admin/schemas.js';
import { isWeakPassword } from './common-passwords.js';

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

/** What the settings form shows: the user's input when it is re-rendered (anything not text is dropped). */
const typedSchema = z
  .object({ display_name: z.string().max(1000).catch(''), locale: z.string().max(16).catch(''), theme: z.string().max(16).catch('') })
  .catch({ display_name: '', locale: '', theme: '' });

const storedValues = (u: User) => ({ display_name: u.displayName, locale: u.locale ?? BROWSER, theme: u.theme });

/** A field's refusal in the reader's language; a check with no message of its own gets the field's general one. */
const FIELD_FALLBACK: Record<string, MessageKey> = { display_name: 'account.nameLength', locale: 'account.choose', theme: 'account.choose' };
function fieldErrors(req: FastifyRequest, err: AppError): Record<string, string> {
  const field = err.field in FIELD_FALLBACK ? err.field : 'form';
  return { [field]: err.key ? req.t(err.key, err.params) : req.t(FIELD_FALLBACK[field] ?? 'account.formInvalid') };
}

const savedQuerySchema = z.object({ saved: z.literal('1').optional() });

/**
 * /account: the signed-in user's own settings (display name, language, theme) and password
 * (the current one is required).
 */
export default async function accountRoutes(app: FastifyInstance) {
  const { auth, users, hasher, live, events, now, passwordCheck, accountSettings } = app.deps;
  const authOnly = { preHandler: app.requireUser };

  const render = (reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.view('pages/account/account.njk', { csrf: reply.generateCsrf(), values: storedValues(reply.request.user!), ...extra });

  app.get('/account', authOnly, (req, reply) => {
    const { saved } = parseInput(savedQuerySchema, req.query);
    return render(reply, saved ? { notice: req.t('account.saved') } : {});
  });

  app.post('/account', authOnly, async (req, reply) => {
    const user = req.user!;
    try {
      const form = parseInput(settingsSchema, req.body);
      await accountSettings.save(user, { displayName: form.display_name, locale: form.locale, theme: form.theme });
      req.log.info({ event: 'account_settings_saved', userId: user.id, renamed: form.display_name !== user.displayName }, 'account settings saved');
      // A new page load, so the new language and theme are this page's.
      return reply.redirect('/account?saved=1', 303);
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'bad_request' && err.code !== 'conflict')) throw err;
      req.log.info({ event: 'account_settings_refused', userId: user.id, field: err.field, reason: err.message }, 'account settings refused');
      reply.code(err.statusCode);
      return render(reply, { values: typedSchema.parse(req.body), errors: fieldErrors(req, err) });
    }
  });

  app.post('/account/password', authOnly, async (req, reply) => {
    const user = req.user!;
    try {
      const form = parseInput(changePasswordSchema, req.body);
      const wait = await passwordCheck.admit(user.id);
      if (wait > 0) {
        req.log.warn({ event: 'password_check_throttled', userId: user.id }, 'current-password check throttled');
        reply.header('retry-after', Math.ceil(wait / 1000));
        return sendError(req, reply, 429, req.t('limit.password'));
      }
      if (!(await auth.authenticate(user.username, form.current))) throw new AppError('bad_request', 'current: wrong password');
      await passwordCheck.succeeded(user.id);
      if (isWeakPassword(form.password, user.username)) throw new AppError('bad_request', 'password: must not be based on the username');
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
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'bad_request') throw err;
      reply.code(400);
      return render(reply, { error: err.shown(req.t) });
    }
  });
}
