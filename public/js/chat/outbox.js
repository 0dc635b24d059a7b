// @ts-check
/** Messages typed but not yet acknowledged; kept across reloads of this tab (sessionStorage). */
import { room } from './env.js';

const KEY = `hihi.outbox.${room}`;
/** @type {Map<string, { clientId: string, body: string, sentAt: number }>} */
export const outbox = new Map(JSON.parse(sessionStorage.getItem(KEY) ?? '[]'));
export const saveOutbox = () => sessionStorage.setItem(KEY, JSON.stringify([...outbox]));

export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
