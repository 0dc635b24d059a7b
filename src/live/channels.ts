import type { RoomId } from '../shared/protocol.js';

/** A room's event channel: its messages are published by the message log's append itself. */
export const roomChannel = (room: RoomId) => `room:${room}`;
export const CONTROL_CHANNEL = 'control';

/** The `message` frame of a stored message is this prefix followed by the stored JSON less its `{`. */
export const messageFramePrefix = (room: RoomId) => `{"type":"message","room":${room},`;
