import { z } from 'zod';
import { LOCALES, type Locale } from '../../i18n/index.js';

/** What a user may set for themselves on the account page, besides their name and password. */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
export const themeSchema = z.enum(THEMES);

/** The language a user chose; null follows the browser (cookie, then Accept-Language). */
export type LocaleChoice = Locale | null;

/** Stored values read back: anything unknown (a column edited by hand) is the default. */
export const storedTheme = (s: string | null): Theme => ((THEMES as readonly string[]).includes(s ?? '') ? (s as Theme) : 'system');
export const storedLocale = (s: string | null): LocaleChoice => ((LOCALES as readonly string[]).includes(s ?? '') ? (s as Locale) : null);
