import type { z } from 'zod';
import { AppError } from '../errors.js';

/** Parses outside input; a failure is a 400 naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.');
  throw new AppError('bad_request', field ? `${field}: ${issue.message}` : issue.message);
}
