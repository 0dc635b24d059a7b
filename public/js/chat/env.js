// @ts-check
/**
 * The page's settings and strings (the server writes them into `#chat[data-client]`), and the
 * one element lookup every module uses.
 * @import { UserRef } from '../../../src/shared/protocol.ts'
 */

/** @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @type {{ room: number, me: UserRef, lastId: number, firstId: number, hasOlder: boolean, live: boolean, member: boolean,
 *   canModerate: boolean, muted: false | { until: number | null, reason?: string | null }, archived: boolean,
 *   editWindowMs: number, lastRead?: number, strings: Record<string, string>, notify?: 'mentions' | 'all' | 'off', blocked?: number[] }}
 */
export const cfg = JSON.parse($('chat').dataset.client ?? '{}');
export const room = cfg.room;

/** A client string with `{name}` placeholders filled. @param {string} key @param {Record<string, string>} [params] */
export function tr(key, params = {}) {
  return (cfg.strings[key] ?? key).replace(/\{(\w+)\}/g, (m, name) => params[name] ?? m);
}
