// @ts-check
/**
 * The chat page's websocket (reconnecting: ../live-socket.js): join with `since`, resend what
 * was not acknowledged (same clientId, so the server never stores it twice), replace a stale
 * socket.
 * @import { ServerFrame, ClientFrame } from '../../../src/shared/protocol.ts'
 */
import { liveSocket } from '../live-socket.js';
import { $, cfg, room } from './env.js';
import { lastSeenId } from './messages.js';
import { dropOutboxes, outbox } from './outbox.js';

const connEl = $('conn');
/** @type {ReturnType<typeof liveSocket> | undefined} */
let socket;
let joined = false;

/** @param {'online' | 'connecting' | 'offline'} state */
function setState(state) {
  connEl.dataset.state = state;
  connEl.textContent = cfg.strings[`conn.${state}`] ?? state;
}

export const isJoined = () => joined;

/** The room's `joined` arrived: the socket is in, sends may go. */
export function markJoined() {
  joined = true;
  socket?.healthy();
  setState('online');
}

/** @param {ClientFrame} frame */
export function send(frame) {
  socket?.send(frame);
}

export function flushOutbox() {
  for (const item of outbox.values()) {
    item.sentAt = Date.now();
    send({ type: 'send', room, clientId: item.clientId, body: item.body, ...(item.replyTo ? { replyTo: item.replyTo } : {}) });
  }
}

/** Kicked or banned: the socket closes and stays closed. */
export function closeForGood() {
  connEl.hidden = true;
  socket?.closeForGood();
}

/** A socket that looks open but stopped acknowledging (lid closed, network changed) is replaced. */
function watchdog() {
  const stale = [...outbox.values()].some((i) => i.sentAt && Date.now() - i.sentAt > 10_000);
  if (stale) socket?.replace(4000, 'no ack');
}

/** @param {(f: ServerFrame) => void} handler */
export function startConnection(handler) {
  setInterval(watchdog, 2000);
  socket = liveSocket({
    onFrame: handler,
    onOpen: () => send({ type: 'join', room, since: lastSeenId() }),
    onConnecting: () => setState('connecting'),
    onOffline: () => setState('offline'),
    onClose: () => {
      joined = false;
    },
    onSessionEnd: dropOutboxes,
  });
}
