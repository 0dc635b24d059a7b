import type { MessageKey } from './i18n/en.js';
import { isMessageKey, type Translate } from './i18n/index.js';

/** Typed errors with a stable code; routes and socket handlers map them, never message text. */
export type AppErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'not_member'
  | 'unavailable';

const STATUS: Record<AppErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  not_member: 403,
  unavailable: 503,
};

export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** When set, what users see: this string translated, after `field: `. */
    readonly key?: MessageKey,
    readonly field = '',
    /** Values for the key's placeholders ({min}, {max}…). */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = STATUS[code];
  }

  /**
   * The message in the reader's language, after the field's label where there is one; the
   * English one where no key was written yet (forms show their status's sentence instead).
   */
  shown(t: Translate | undefined): string {
    if (!this.key || !t) return this.message;
    const message = t(this.key, this.params);
    return this.field ? t('input.fieldMessage', { field: fieldLabel(t, this.field), message }) : message;
  }
}

export type RestrictionCode = 'muted' | 'kicked' | 'banned' | 'archived';

/** A moderation restriction stopped the action; `until` null means until lifted. */
export class RestrictedError extends Error {
  readonly statusCode = 403;
  constructor(
    readonly restriction: RestrictionCode,
    readonly until: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'RestrictedError';
  }

  /** The reason in the reader's language (the end time in UTC: the page and script show it in the reader's zone). */
  shown(t: Translate | undefined): string {
    if (!t) return this.message;
    const until = this.until === null ? '' : `${new Date(this.until).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    switch (this.restriction) {
      case 'muted':
        return this.until === null ? t('banner.mutedForever') : t('banner.muted', { until });
      case 'kicked':
        return t('banner.kicked', { until });
      case 'banned':
        return t('banner.banned');
      case 'archived':
        return t('room.archived');
    }
  }
}

/** A per-user rate limit refused the action; `until` is when it may be tried again (epoch ms). */
export class RateLimitedError extends Error {
  readonly statusCode = 429;
  constructor(
    readonly until: number,
    readonly retryMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** The session store refused a save: the reply's error page must not try to save it again. */
export class SessionSaveError extends Error {
  readonly statusCode = 500;
  constructor(cause: unknown) {
    super('the session could not be saved', { cause });
    this.name = 'SessionSaveError';
  }
}

/** A field's label in the reader's language (`field.<name>`), else its name as sent. */
export const fieldLabel = (t: Translate, field: string) => {
  const key = `field.${field}`;
  return isMessageKey(key) ? t(key) : field;
};
