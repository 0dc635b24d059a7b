import { MAX_BODY_CHARS } from '../../shared/protocol.js';
import { isBlank } from '../../util/text.js';
import { codePoints } from '../users/names.js';

/**
 * What is wrong with a message body (already trimmed), for the socket and the form alike: a body
 * nobody could see (only zero-width or other invisible characters) counts as empty.
 */
export function bodyProblem(body: string): 'empty' | 'too_long' | undefined {
  if (isBlank(body)) return 'empty';
  if (codePoints(body) > MAX_BODY_CHARS) return 'too_long';
  return undefined;
}
