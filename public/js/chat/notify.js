// @ts-check
/**
 * Desktop notifications for live messages while the page is not in view: mentions of the reader
 * and an accepted @here by default; every message with the account's "all" setting or this
 * room's own toggle (kept in this browser's localStorage: a per-device choice). Nothing asks for
 * the browser's permission here: the account page's button does, on a user's press.
 * @import { ChatMessage, MessageFrame } from '../../../src/shared/protocol.ts'
 */
import { $, cfg, room, tr } from './env.js';

const KEY = `hihi.notifyAll.${room}`;

/** This room notifies of every message on this device. */
export const roomAll = () => localStorage.getItem(KEY) === '1';
/** @param {boolean} on */
export const setRoomAll = (on) => (on ? localStorage.setItem(KEY, '1') : localStorage.removeItem(KEY));

/** Whether this message concerns the reader: mentioned by id, or called with @here. @param {ChatMessage | MessageFrame} m */
export const mentionsMe = (m) => !!m.here || (m.mentions ?? []).some((u) => u.id === cfg.me.id);

/** The room's name as its heading shows it (the page title may carry an unread count). */
const roomName = () => ($('room-title').textContent ?? '').trim();

/** A live message arrived. @param {ChatMessage | MessageFrame} m */
export function notifyFor(m) {
  const level = cfg.notify ?? 'mentions';
  if (m.room !== room || m.user.id === cfg.me.id || level === 'off') return;
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  const mine = mentionsMe(m);
  if (!mine && level !== 'all' && !roomAll()) return;
  const title = mine ? tr('msg.notifyMention', { name: m.user.name }) : tr('msg.notifyMessage', { name: m.user.name, room: roomName() });
  // The plain text, mentions shown by name.
  const names = new Map((m.mentions ?? []).map((u) => [String(u.id), u.name]));
  const body = m.body.replace(/<@(\d+)>/g, (t, id) => (names.has(id) ? `@${names.get(id)}` : t)).slice(0, 200);
  const n = new Notification(title, { body, tag: `hihi-${room}-${m.id}` });
  n.onclick = () => {
    window.focus();
    n.close();
  };
}

/**
 * This room's "every message" toggle, in the sidebar: only where notifications can be shown and
 * the account setting is neither off nor already every message.
 */
export function initNotify() {
  const actions = document.querySelector('#sidebar .side-actions');
  if (!actions || !cfg.member || !('Notification' in window) || (cfg.notify ?? 'mentions') !== 'mentions') return;
  const label = document.createElement('label');
  label.className = 'check notify-room';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.id = 'notify-room-all';
  box.checked = roomAll();
  box.addEventListener('change', () => setRoomAll(box.checked));
  label.append(box, ` ${tr('msg.notifyRoomAll')}`);
  actions.prepend(label);
}
