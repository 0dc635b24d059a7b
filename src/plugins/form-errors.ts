import type { FastifyReply } from 'fastify';
import { AppError, fieldLabel } from '../errors.js';
import type { MessageKey } from '../i18n/en.js';
import type { Translate } from '../i18n/index.js';
import { InputError } from './validate.js';

/**
 * What a form shows: the values to keep in its fields, a translated message per bad field, and
 * a notice for what is no field's (views/partials/forms.njk renders it).
 */
export interface FormView {
  values: Record<string, string>;
  errors: Record<string, string>;
  notice?: string;
  /** The first bad field, which takes the focus. */
  first?: string;
}

/** A form on its first showing. */
export const blankForm = (values: Record<string, string> = {}): FormView => ({ values, errors: {} });

/** Errors a form shows on its own page; anything else (403, 500…) goes to the error handler. */
const FORM_CODES = new Set(['bad_request', 'conflict', 'not_found']);

/** The posted strings of the fields named in `keep` (never list a password there). */
export function keptValues(body: unknown, keep: readonly string[]): Record<string, string> {
  const posted = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(keep.flatMap((name) => (typeof posted[name] === 'string' ? [[name, posted[name]]] : [])));
}

/**
 * The form's view of a failed post, or undefined when the error is not the form's to show.
 * Issues of the form's `fields` go beside them; the rest become the notice at the top.
 */
export function formFailure(err: unknown, t: Translate, fields: readonly string[], values: Record<string, string>): FormView | undefined {
  if (!(err instanceof AppError) || !FORM_CODES.has(err.code)) return undefined;
  const issues = err instanceof InputError ? err.issues : err.key ? [{ field: err.field, key: err.key, params: err.params }] : [];
  const view: FormView = { values, errors: {} };
  for (const issue of issues) {
    const message = t(issue.key, issue.params);
    if (fields.includes(issue.field)) {
      view.errors[issue.field] ??= message;
      view.first ??= issue.field;
    } else view.notice ??= issue.field ? t('input.fieldMessage', { field: fieldLabel(t, issue.field), message }) : message;
  }
  // Without a key (an error of a service nobody translated yet), the status's generic sentence.
  if (!issues.length) view.notice = t(`error.${err.statusCode}` as MessageKey);
  return view;
}

/**
 * Runs a form post's action. When it fails with a form error, the page is rendered again by
 * `render` with the kept values and the messages, under the error's status (400, 409, 404);
 * otherwise the action's result is returned and other errors propagate.
 */
export async function handleForm<T>(
  reply: FastifyReply,
  form: { fields: readonly string[]; keep: readonly string[]; render: (form: FormView) => unknown },
  action: () => Promise<T>,
): Promise<T | unknown> {
  try {
    return await action();
  } catch (err) {
    const req = reply.request;
    const view = formFailure(err, req.t, form.fields, keptValues(req.body, form.keep));
    if (!view) throw err;
    const e = err as AppError;
    req.log.info({ code: e.code, status: e.statusCode, reason: e.message }, 'form refused');
    reply.code(e.statusCode);
    return form.render(view);
  }
}
