import { z } from 'zod';
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export const localeSchema = z.enum(LOCALES);
export const LANG_COOKIE = 'hihi.lang';

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** True for a key of the catalogs (for keys built at run time, such as a field's label). */
export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => {
    const text = catalog[key] ?? en[key] ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)) : text;
  };
}

const translators = new Map<Locale, Translate>();
/** One translator per locale for the process (per-language caches key on it, e.g. clientStrings). */
export function translatorFor(locale: Locale): Translate {
  let t = translators.get(locale);
  if (!t) translators.set(locale, (t = translator(locale)));
  return t;
}

/** The user's choice (cookie) wins; otherwise the first supported Accept-Language entry by weight. */
export function negotiateLocale(cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  // Only a cookie that is there is parsed: a failed parse builds an error, on every request.
  if (cookie !== undefined) {
    const chosen = localeSchema.safeParse(cookie);
    if (chosen.success) return chosen.data;
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

const clientKeys = (Object.keys(en) as MessageKey[]).filter((k) =>
  ['conn.', 'msg.', 'sys.', 'banner.', 'room.noMessages', 'mod.a.', 'mod.k.', 'mod.untilLifted', 'restricted.', 'typing.', 'unread.'].some((p) => k.startsWith(p)),
);
const clientStringsOf = new WeakMap<Translate, Record<string, string>>();

/** Strings the browser script needs, sent in the page (built once per translator). */
export function clientStrings(t: Translate): Record<string, string> {
  let strings = clientStringsOf.get(t);
  if (!strings) clientStringsOf.set(t, (strings = Object.fromEntries(clientKeys.map((k) => [k, t(k)]))));
  return strings;
}
