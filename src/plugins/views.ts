import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import view from '@fastify/view';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';
import { LANG_COOKIE, negotiateLocale, translatorFor, type Locale, type Translate } from '../i18n/index.js';
import { PUBLIC_DIR, VIEWS_DIR } from '../paths.js';
import { avatarHue, initial } from './avatar.js';
import { activityTime } from '../../public/js/shared/activity-time.js';
import { renderMarkdown } from '../../public/js/shared/markdown.js';
import type { ChatMessage } from '../shared/protocol.js';

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    t: Translate;
  }
  interface FastifyInstance {
    /** Renders a template to a string at once (templates are read synchronously). */
    renderPartial(template: string, context: object): string;
  }
  interface FastifyReply {
    /** Merged into every template's context by @fastify/view. */
    locals: Record<string, unknown> | null;
  }
}

/** Sets the request's language (a signed-in user's own choice replaces the negotiated one, plugins/current-user.ts). */
export function useLocale(req: FastifyRequest, reply: FastifyReply, locale: Locale): void {
  req.locale = locale;
  req.t = translatorFor(locale);
  reply.locals = { ...reply.locals, locale, t: req.t };
}

const numberFormats = new Map<string, Intl.NumberFormat>();
const numberFormat = (locale: Locale) => numberFormats.get(locale) ?? numberFormats.set(locale, new Intl.NumberFormat(locale)).get(locale)!;
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const dateTimeFormat = (locale: Locale) =>
  dateTimeFormats.get(locale) ??
  dateTimeFormats.set(locale, new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' })).get(locale)!;

/** Nunjucks (autoescape on) with the locale and translator in every template; assets under /static. */
export default fp(
  async (app) => {
    await app.register(fastifyStatic, {
      root: PUBLIC_DIR,
      prefix: '/static/',
      maxAge: app.deps.config.production ? '1d' : 0,
      index: false,
    });
    let env: nunjucks.Environment | undefined;
    await app.register(view, {
      engine: { nunjucks },
      templates: VIEWS_DIR,
      options: {
        autoescape: true,
        throwOnUndefined: false,
        noCache: !app.deps.config.production,
        onConfigure: (configured: nunjucks.Environment) => {
          env = configured;
          env.addFilter('isoTime', (ms: number) => new Date(ms).toISOString());
          // Fallbacks in UTC: the page script rewrites times in the reader's zone and language.
          env.addFilter('clock', (ms: number) => new Date(ms).toISOString().slice(11, 16));
          env.addFilter('fullTime', (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
          // Numbers and dates in the page's language (dates in UTC, said so: the server does not know the reader's zone).
          env.addFilter('num', (n: number, locale: Locale) => numberFormat(locale).format(n));
          env.addFilter('dateTime', (ms: number, locale: Locale) => dateTimeFormat(locale).format(ms));
          // A room's last activity: the clock today, else the weekday or date, in UTC here; the room
          // list's script writes it again, by the same function, in the reader's zone.
          env.addFilter('activity', (ms: number, locale: Locale) => activityTime(ms, app.deps.now(), locale, 'UTC'));
          env.addFilter('hue', avatarHue);
          env.addFilter('initial', initial);
          // A message body as HTML, by the page script's own renderer (public/js/shared/markdown.js),
          // which escapes all text itself: its output is marked safe.
          env.addFilter('markdown', (m: Pick<ChatMessage, 'body' | 'mentions' | 'here'>) =>
            new nunjucks.runtime.SafeString(renderMarkdown(String(m.body), { mentions: m.mentions, here: m.here })),
          );
        },
      },
    });
    app.decorate('renderPartial', (template: string, context: object) => env!.render(template, context));
    app.decorateRequest('locale', 'en');
    app.decorateRequest('t', null as unknown as Translate);
    const langCookie = new RegExp(`(?:^|;\\s*)${LANG_COOKIE.replace('.', '\\.')}=([^;]+)`);
    app.addHook('onRequest', async (req, reply) => {
      const cookie = (req.headers.cookie ?? '').match(langCookie)?.[1];
      useLocale(req, reply, negotiateLocale(cookie, req.headers['accept-language']));
      reply.locals = { ...reply.locals, currentPath: req.url };
    });
  },
  { name: 'views' },
);
