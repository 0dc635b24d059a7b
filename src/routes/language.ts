import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LANG_COOKIE, localeSchema } from '../i18n/index.js';
import { safeNextPath } from '../modules/auth/schemas.js';
import { parseInput } from '../plugins/validate.js';

const schema = z.strictObject({ lang: localeSchema, next: z.string().max(2000).optional(), _csrf: z.string() });

/** The user's language choice overrides Accept-Language, kept in a cookie for a year (and on the account when signed in). */
export default async function languageRoutes(app: FastifyInstance) {
  app.post('/language', async (req, reply) => {
    const form = parseInput(schema, req.body);
    reply.setCookie(LANG_COOKIE, form.lang, { path: '/', maxAge: 365 * 86400, sameSite: 'lax', httpOnly: true });
    // A signed-in user's choice is kept with the account too, so it follows them to every device.
    if (req.user) await app.deps.accountSettings.setLocale(req.user, form.lang);
    return reply.redirect(safeNextPath(form.next), 303);
  });
}
