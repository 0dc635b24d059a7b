import type { z } from 'zod';
import { AppError } from '../errors.js';
import type { MessageKey } from '../i18n/en.js';
import { illFormedPath } from '../util/text.js';

export const ILL_FORMED = 'must be well-formed Unicode text';

/**
 * Parses outside input; a failure is a 400 naming the first bad field. Every string in it must
 * be well-formed Unicode first, whatever the schema says. An issue carrying an i18n key
 * (`params.key`) is shown translated.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const bad = illFormedPath(input);
  if (bad) throw new AppError('bad_request', bad.length ? `${bad.join('.')}: ${ILL_FORMED}` : ILL_FORMED, 'input.illFormed', bad.join('.'));
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.');
  const key = (issue as { params?: { key?: MessageKey } }).params?.key;
  throw new AppError('bad_request', field ? `${field}: ${issue.message}` : issue.message, key, field);
}
