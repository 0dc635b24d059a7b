/** Reading the field-level messages of a re-rendered form (views/partials/forms.njk). */

/** The message shown beside a field, once its input points to it; undefined when none. */
export function fieldError(html: string, form: string, field: string): string | undefined {
  const id = `${form}-${field}-error`;
  const input = html.match(new RegExp(`<(?:input|select) id="${form}-${field}"[^>]*>`))?.[0] ?? '';
  if (!input.includes(`aria-invalid="true"`) || !input.includes(`aria-describedby="${id}"`)) return undefined;
  return html.match(new RegExp(`<p class="field-error" id="${id}">([^<]*)</p>`))?.[1];
}

/** The value written back into a form's field. */
export const fieldValue = (html: string, form: string, field: string) => html.match(new RegExp(`<input id="${form}-${field}"[^>]*value="([^"]*)"`))?.[1];

/** The notice at the top of a form (role="alert"). */
export const formNotice = (html: string) => html.match(/<p class="alert" role="alert">([^<]*)<\/p>/)?.[1];

/** The page's visible text (tags dropped), where raw wording would show. */
export const visibleText = (html: string) => html.replace(/<[^>]*>/g, ' ');

/** Validator output, field keys and permission keys: wording a reader must never see. */
export const RAW_TEXT =
  /Invalid (input|option)|expected (string|number|one of)|received (NaN|undefined|string|array)|Too (small|big)|Unrecognized key|must be \d|wrong password|create_room|manage_users|\b(name|username|password|display_name|permission|grant|before|after|limit|id): /;
