// @ts-check
/**
 * A websocket that stays open: reconnects with exponential backoff and jitter, at once when the
 * network or the tab comes back, and sends the reader to sign in when the session ended (4001,
 * 4003). Shared by the chat page (chat/connection.js) and the room list (rooms.js).
 * @import { ServerFrame, ClientFrame } from '../../src/shared/protocol.ts'
 */

/**
 * @param {{ onFrame: (f: ServerFrame) => void, onOpen?: () => void, onClose?: () => void,
 *   onConnecting?: () => void, onOffline?: () => void, onSessionEnd?: () => void }} h
 */
export function liveSocket(h) {
  /** @type {WebSocket | undefined} */
  let ws;
  let attempt = 0;
  /** Closed for good: no reconnect. */
  let closed = false;
  /** @type {number | undefined} */
  let timer;

  function connect() {
    clearTimeout(timer);
    h.onConnecting?.();
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws = socket;
    socket.onopen = () => h.onOpen?.();
    socket.onmessage = (ev) => h.onFrame(JSON.parse(String(ev.data)));
    socket.onclose = (ev) => {
      if (ws !== socket) return;
      h.onClose?.();
      if (closed) return;
      if (ev.code === 4001 || ev.code === 4003) {
        h.onSessionEnd?.();
        location.href = '/login';
        return;
      }
      h.onOffline?.();
      // Exponential backoff with jitter, so a restarted server is not hit by everyone at once.
      const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random());
      attempt = Math.min(attempt + 1, 10);
      timer = window.setTimeout(connect, delay);
    };
  }

  function reconnectNow() {
    if (closed) return;
    if (!ws || ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) {
      attempt = 0;
      connect();
    }
  }

  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') reconnectNow();
  });
  connect();

  return {
    /** @param {ClientFrame} frame */
    send(frame) {
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    },
    /** The server answered as expected: the backoff starts over. */
    healthy() {
      attempt = 0;
    },
    isOpen: () => ws?.readyState === WebSocket.OPEN,
    /** Closes an open socket that stopped answering; it reconnects. @param {number} code @param {string} reason */
    replace(code, reason) {
      if (ws?.readyState === WebSocket.OPEN) ws.close(code, reason);
    },
    /** Closes and stays closed. */
    closeForGood() {
      closed = true;
      clearTimeout(timer);
      ws?.close(1000, 'removed');
    },
  };
}
