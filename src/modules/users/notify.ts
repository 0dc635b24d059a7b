import { z } from 'zod';

/**
 * Which messages may raise a desktop notification for a user (their account setting, stored in
 * users.notify): 'mentions' (the default: mentions of them and an accepted @here), 'all' (every
 * message in rooms they have open) or 'off'. The browser asks for permission only when the user
 * presses a button (public/js/chat/notify.js).
 */
export const NOTIFY_LEVELS = ['mentions', 'all', 'off'] as const;
export type NotifyLevel = (typeof NOTIFY_LEVELS)[number];

export const notifySchema = z.enum(NOTIFY_LEVELS);

export const storedNotify = (v: string | null | undefined): NotifyLevel => (NOTIFY_LEVELS as readonly string[]).includes(v ?? '') ? (v as NotifyLevel) : 'mentions';
