/**
 * The websocket wire contract (docs/protocol.md), types only and no imports, so the browser
 * script can check itself against it through JSDoc. Server-side parsing lives in
 * src/realtime/frames.ts.
 */

export type RoomId = number;
export type MessageId = number;

export interface UserRef {
  id: number;
  name: string;
}

export interface ChatMessage {
  room: RoomId;
  id: MessageId;
  ts: number;
  user: UserRef;
  body: string;
  clientId: string;
}

export type ErrorCode =
  | 'invalid'
  | 'too_long'
  | 'not_member'
  | 'muted'
  | 'kicked'
  | 'banned'
  | 'rate_limited'
  | 'forbidden'
  | 'unavailable';

// Client → server
export interface JoinFrame {
  type: 'join';
  room: RoomId;
  since?: MessageId;
}
export interface SendFrame {
  type: 'send';
  room: RoomId;
  clientId: string;
  body: string;
}
export interface LeaveFrame {
  type: 'leave';
  room: RoomId;
}
export type ClientFrame = JoinFrame | SendFrame | LeaveFrame;

// Server → client
export interface JoinedFrame {
  type: 'joined';
  room: RoomId;
  members: UserRef[];
  online: UserRef[];
  /** Messages after `since`, oldest first (empty without `since`). */
  missed: ChatMessage[];
  /** More messages follow `missed`: page them with GET /rooms/:id/messages?after=. */
  hasMore: boolean;
}
export interface AckFrame {
  type: 'ack';
  clientId: string;
  id: MessageId;
  ts: number;
}
/** `clientId` only on the frames to its author's own sockets (they match a pending line by it). */
export interface MessageFrame extends Omit<ChatMessage, 'clientId'> {
  type: 'message';
  clientId?: string;
}
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  clientId?: string;
  room?: RoomId;
  until?: number;
}
export interface PresenceFrame {
  type: 'presence';
  room: RoomId;
  user: UserRef;
  online: boolean;
}
export interface MemberFrame {
  type: 'member';
  room: RoomId;
  user: UserRef;
  action: 'join' | 'leave';
}
export interface LeftFrame {
  type: 'left';
  room: RoomId;
}
export type ModerationAction = 'mute' | 'unmute' | 'kick' | 'ban' | 'unban' | 'delete';
/** A moderation action in the room, for everyone in it (a system line; the target sees a banner). */
export interface ModerationFrame {
  type: 'moderation';
  room: RoomId;
  action: ModerationAction;
  /** The user acted on (absent for `delete`). */
  target?: UserRef;
  /** Who acted; null when a restriction ended by itself. */
  by: UserRef | null;
  /** End of a mute or kick (ms); null: until lifted. */
  until?: number | null;
  reason?: string;
  /** For `delete`. */
  messageId?: MessageId;
}
/** A message was deleted: remove it from the page. */
export interface DeletedFrame {
  type: 'deleted';
  room: RoomId;
  id: MessageId;
}
export type ServerFrame =
  | JoinedFrame
  | AckFrame
  | MessageFrame
  | ErrorFrame
  | PresenceFrame
  | MemberFrame
  | LeftFrame
  | ModerationFrame
  | DeletedFrame;

export const CloseCodes = {
  sessionGone: 4001,
  accountDisabled: 4003,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  tooBig: 1009,
} as const;

export const MAX_BODY_CHARS = 2000;
export const MAX_FRAME_BYTES = 16 * 1024;
