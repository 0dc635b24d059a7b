import type { ChangeFrame, ChatMessage, RoomId } from '../shared/protocol.js';

/** A room's event channel: its messages are published by the message log's append itself. */
export const roomChannel = (room: RoomId) => `room:${room}`;
export const CONTROL_CHANNEL = 'control';

/**
 * A stored message's `message` frame, as the embedded log publishes it and a repair rebuilds it;
 * its room and id come first, as in the Redis script's frame (the hub reads the id from the bytes).
 */
export const messageFrame = (m: ChatMessage) => JSON.stringify({ type: 'message', ...m });

/** The `message` frame of a stored message is this prefix followed by the stored JSON less its `{`. */
export const messageFramePrefix = (room: RoomId) => `{"type":"message","room":${room},`;

/**
 * An edit's or deletion's frame, keys in a fixed order: type, room, seq first (the hub reads the
 * seq from the bytes, as it reads a message's id), the rest after.
 */
export function changeFrame(c: ChangeFrame): string {
  return c.type === 'edited'
    ? JSON.stringify({ type: c.type, room: c.room, seq: c.seq, id: c.id, body: c.body, editedAt: c.editedAt })
    : JSON.stringify({ type: c.type, room: c.room, seq: c.seq, id: c.id, deletedAt: c.deletedAt });
}
