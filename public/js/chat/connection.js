// @ts-check
/**
 * The websocket: join with `since`, reconnect with backoff and jitter, resend what was not
 * acknowledged (same clientId, so the server never stores it twice), replace a stale socket.
 * @import { ServerFrame, ClientFrame } from '../../../src/shared/protocol.ts'
 */
import { $, cfg, room } from './env.js';
import { lastSeenId } from './messages.js';
import { dropOutboxes, outbox } from './outbox.js';

const connEl = $('conn');
/** @type {WebSocket | undefined} */
let ws;
let joined = false;
/** Closed for good (kicked or banned): no reconnect. */
let closed = false;
let attempt = 0;
/** @type {number | undefined} */
let reconnectTimer;
/** @type {(f: ServerFrame) => void} */
let onFrame = () => {};

/** @param {'online' | 'connecting' | 'offline'} state */
function setState(state) {
  connEl.dataset.state = state;
  connEl.textContent = cfg.strings[`conn.${state}`] ?? state;
}

export const isJoined = () => joined;

/** The room's `joined` arrived: the socket is in, sends may go. */
export function markJoined() {
  joined = true;
  attempt = 0;
  setState('online');
}

/** @param {ClientFrame} frame */
export function send(frame) {
  if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

export function flushOutbox() {
  for (const item of outbox.values()) {
    item.sentAt = Date.now();
    send({ type: 'send', room, clientId: item.clientId, body: item.body, ...(item.replyTo ? { replyTo: item.replyTo } : {}) });
  }
}

function connect() {
  clearTimeout(reconnectTimer);
  setState('connecting');
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws = socket;
  socket.onopen = () => send({ type: 'join', room, since: lastSeenId() });
  socket.onmessage = (ev) => onFrame(JSON.parse(String(ev.data)));
  socket.onclose = (ev) => {
    if (ws !== socket) return;
    joined = false;
    if (closed) return;
    if (ev.code === 4001 || ev.code === 4003) {
      dropOutboxes();
      location.href = '/login';
      return;
    }
    setState('offline');
    // Exponential backoff with jitter, so a restarted server is not hit by everyone at once.
    const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random());
    attempt = Math.min(attempt + 1, 10);
    reconnectTimer = window.setTimeout(connect, delay);
  };
}

/** Kicked or banned: the socket closes and stays closed. */
export function closeForGood() {
  closed = true;
  clearTimeout(reconnectTimer);
  connEl.hidden = true;
  ws?.close(1000, 'removed');
}

/** A socket that looks open but stopped acknowledging (lid closed, network changed) is replaced. */
function watchdog() {
  const stale = [...outbox.values()].some((i) => i.sentAt && Date.now() - i.sentAt > 10_000);
  if (stale && ws?.readyState === WebSocket.OPEN) ws.close(4000, 'no ack');
}

function reconnectNow() {
  if (closed) return;
  if (!ws || ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) {
    attempt = 0;
    connect();
  }
}

/** @param {(f: ServerFrame) => void} handler */
export function startConnection(handler) {
  onFrame = handler;
  setInterval(watchdog, 2000);
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') reconnectNow();
  });
  connect();
}
