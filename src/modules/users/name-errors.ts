import { AppError } from '../../errors.js';

/** The refusals every name form shows beside its field (admin: new users; account: own display name). */
export const reservedNameError = (field: string) =>
  new AppError('bad_request', `${field}: looks like a reserved name (such as admin)`, 'name.protected', field);

export const lookalikeNameError = (field: string) =>
  new AppError('conflict', `${field}: looks too much like another user's name`, 'name.lookalike', field);
