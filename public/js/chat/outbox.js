// @ts-check
/** Messages typed but not yet acknowledged; kept across reloads of this tab (sessionStorage). */
import { cfg, room } from './env.js';

// Per user: whoever signs in next in this tab must never send (or see) what another typed.
const PREFIX = 'hihi.outbox.';
const KEY = `${PREFIX}${cfg.me.id}.${room}`;
/** @type {Map<string, { clientId: string, body: string, sentAt: number, replyTo?: number }>} */
export const outbox = new Map(JSON.parse(sessionStorage.getItem(KEY) ?? '[]'));
export const saveOutbox = () => sessionStorage.setItem(KEY, JSON.stringify([...outbox]));

/** Signed out (or the session ended): unsent messages of every room go with the session. */
export function dropOutboxes() {
  outbox.clear();
  for (const k of Object.keys(sessionStorage)) if (k.startsWith(PREFIX)) sessionStorage.removeItem(k);
}

export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
