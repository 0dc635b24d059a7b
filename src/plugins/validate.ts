import type { z } from 'zod';
import { AppError } from '../errors.js';
import type { MessageKey } from '../i18n/en.js';
import { ILL_FORMED, illFormedPath } from '../util/text.js';


type Params = Record<string, string | number>;

/** One bad field of an input: what the reader is told (a catalog key and its values). */
export interface FieldIssue {
  field: string;
  key: MessageKey;
  params: Params;
}

/** Input that failed its schema: the first issue is the error's own, `issues` has one per field. */
export class InputError extends AppError {
  constructor(
    message: string,
    readonly issues: FieldIssue[],
  ) {
    const first = issues[0]!;
    super('bad_request', message, first.key, first.field, first.params);
    this.name = 'InputError';
  }
}

const valueAt = (input: unknown, path: readonly PropertyKey[]) =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), input);

/**
 * A zod issue as a catalog key, by issue code (required, too short or long, a choice, a
 * number…); a schema's own refinement names its key in `params.key` (with its values beside it).
 */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): { key: MessageKey; params: Params } {
  const { key, ...params } = (issue as { params?: Params & { key?: MessageKey } }).params ?? {};
  if (key) return { key, params };
  switch (issue.code) {
    case 'invalid_type':
      return valueAt(input, issue.path) === undefined ? { key: 'input.required', params: {} } : { key: issue.expected === 'number' || issue.expected === 'int' ? 'input.number' : 'input.invalid', params: {} };
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? { key: 'input.required', params: {} } : { key: 'input.tooShort', params: { min: Number(issue.minimum) } };
      return issue.origin === 'number' ? { key: 'input.numberMin', params: { min: Number(issue.minimum) } } : { key: 'input.invalid', params: {} };
    case 'too_big':
      if (issue.origin === 'string') return { key: 'input.tooLong', params: { max: Number(issue.maximum) } };
      return issue.origin === 'number' ? { key: 'input.numberMax', params: { max: Number(issue.maximum) } } : { key: 'input.invalid', params: {} };
    case 'invalid_value':
    case 'invalid_union':
      return valueAt(input, issue.path) === undefined ? { key: 'input.required', params: {} } : { key: 'input.choice', params: {} };
    case 'unrecognized_keys':
      return { key: 'input.unexpected', params: {} };
    default:
      return { key: 'input.invalid', params: {} };
  }
}

/**
 * Parses outside input; a failure is a 400 (`InputError`) naming each bad field with a
 * translatable message. Every string in it must be well-formed Unicode first, whatever the
 * schema says. The English text of the error is zod's, for the log only.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const bad = illFormedPath(input);
  if (bad) {
    const field = bad.join('.');
    throw new InputError(field ? `${field}: ${ILL_FORMED}` : ILL_FORMED, [{ field, key: 'input.illFormed', params: {} }]);
  }
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues: FieldIssue[] = [];
  for (const issue of r.error.issues) {
    // Unknown keys belong to no field of the form: they are the form's own issue.
    const field = issue.code === 'unrecognized_keys' ? '' : issue.path.join('.');
    if (!issues.some((i) => i.field === field)) issues.push({ field, ...issueMessage(issue, input ?? {}) });
  }
  const first = r.error.issues[0]!;
  throw new InputError(first.path.length ? `${first.path.join('.')}: ${first.message}` : first.message, issues);
}
