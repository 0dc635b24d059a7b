// @ts-check
/** Avatars and the server-rendered <template>s live markup is cloned from. */
/** @import { UserRef } from '../../../src/shared/protocol.ts' */

/** Same as src/plugins/avatar.ts (test/browser/look.test.ts compares server and live markup). */
const hue = (/** @type {number} */ id) => (Math.imul(id, 2654435761) >>> 0) % 12;
const initial = (/** @type {string} */ name) => ([...name][0] ?? '?').toUpperCase();

/** @param {Element | null} av @param {UserRef} user */
export function fillAvatar(av, user) {
  if (!av) return;
  av.className = `av a${hue(user.id)}`;
  av.textContent = initial(user.name);
}

/**
 * Clones a server-rendered <template> (moderators only) and fills its one empty field.
 * @param {string} id @param {string} field @param {number} value
 */
export function fromTemplate(id, field, value) {
  const tpl = /** @type {HTMLTemplateElement | null} */ (document.getElementById(id));
  if (!tpl) return null;
  const node = /** @type {DocumentFragment} */ (tpl.content.cloneNode(true));
  // Inputs of cloned forms, or the delete button that carries the message id itself.
  for (const el of node.querySelectorAll(`input[name="${field}"], button[name="${field}"]`)) /** @type {HTMLInputElement} */ (el).value = String(value);
  return node;
}
