import type { RestrictedError } from '../../errors.js';
import type { Translate } from '../../i18n/index.js';
import type { ErrorFrame } from '../../shared/protocol.js';

/** The error frame fields for a moderation restriction (`until` only when it ends by itself). */
export function restrictionError(err: RestrictedError, t: Translate): Pick<ErrorFrame, 'code' | 'message' | 'until'> {
  return {
    code: err.restriction === 'archived' ? 'forbidden' : err.restriction,
    message: err.shown(t),
    ...(err.until === null ? {} : { until: err.until }),
  };
}
