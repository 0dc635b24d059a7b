// @ts-check
/**
 * "Alice is typing…": this tab tells the room while its reader types (at most every 3 s), and
 * shows who else is typing, each for 6 s after their last notice or until their message
 * arrives. The server drops notices of muted users (docs/protocol.md, `typing`).
 * @import { UserRef, UserTypingFrame } from '../../../src/shared/protocol.ts'
 */
import { cfg, room, tr } from './env.js';
import { isJoined, send } from './connection.js';

const SEND_EVERY_MS = 3000;
const SHOW_MS = 6000;
let lastSent = 0;

/** The reader typed in the composer: tell the room, unless told within the last 3 s. */
export function typed() {
  const now = Date.now();
  if (!isJoined() || now - lastSent < SEND_EVERY_MS) return;
  lastSent = now;
  send({ type: 'typing', room });
}

/** The reader's message went out: the next keystroke is news again. */
export function sentMessage() {
  lastSent = 0;
}

/** Who is typing, in the order they started: name and the timer that forgets them. */
const typists = new Map(/** @type {[number, { name: string, timer: number }][]} */ ([]));
const line = document.getElementById('typing');

function render() {
  if (!line) return;
  const names = [...typists.values()].map((t) => t.name);
  const text =
    names.length === 0 ? ''
    : names.length === 1 ? tr('typing.one', { a: names[0] ?? '' })
    : names.length === 2 ? tr('typing.two', { a: names[0] ?? '', b: names[1] ?? '' })
    : tr('typing.many', { a: names[0] ?? '', n: String(names.length - 1) });
  // Set only when it changes: a live region re-announces every write.
  if (line.textContent !== text) line.textContent = text;
}

/** @param {UserTypingFrame} f */
export function onTyping(f) {
  if (f.room !== room || f.user.id === cfg.me.id) return;
  const known = typists.get(f.user.id);
  clearTimeout(known?.timer);
  typists.set(f.user.id, { name: f.user.name, timer: window.setTimeout(() => stopped(f.user.id), SHOW_MS) });
  if (!known || known.name !== f.user.name) render();
}

/** Their message arrived (or they left): no longer typing. @param {UserRef['id']} userId */
export function stopped(userId) {
  const known = typists.get(userId);
  if (!known) return;
  clearTimeout(known.timer);
  typists.delete(userId);
  render();
}
