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
  ) {
    super(message);
    this.name = 'AppError';
    this.statusCode = STATUS[code];
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
}

/** The session store refused a save: the reply's error page must not try to save it again. */
export class SessionSaveError extends Error {
  readonly statusCode = 500;
  constructor(cause: unknown) {
    super('the session could not be saved', { cause });
    this.name = 'SessionSaveError';
  }
}
