import { MAX_BODY_CHARS } from '../../shared/protocol.js';
import { hasControl, isBlank } from '../../util/text.js';
import { codePoints } from '../users/names.js';

/**
 * What is wrong with a message body (already trimmed), for the socket and the form alike: a body
 * nobody could see (only zero-width or other invisible characters) counts as empty; control
 * characters (other than tab and line breaks) and bidi overrides are refused, as in every free
 * text: an override inside a body can make a link's visible text differ from where it leads.
 */
export function bodyProblem(body: string): 'empty' | 'too_long' | 'control' | undefined {
  if (isBlank(body)) return 'empty';
  if (codePoints(body) > MAX_BODY_CHARS) return 'too_long';
  if (hasControl(body)) return 'control';
  return undefined;
}
