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
  /** The message this one answers (same room); the quote is resolved when shown (docs/protocol.md). */
  replyTo?: MessageId;
  /** Set once the author edited it: when (ms). */
  editedAt?: number;
  /**
   * Users the body mentions, resolved by the server at sending among the room's members: the
   * body holds `<@ID>` for each, shown as `@` and the user's current name (renames keep working).
   * Absent when there are none.
   */
  mentions?: UserRef[];
  /** The body's `@here` is a call to everyone online (only a room's moderators may). */
  here?: true;
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
  /** Answers this message of the same room. */
  replyTo?: MessageId;
}
/** The author changes their message's body, within EDIT_WINDOW_MINUTES of sending it. */
export interface EditFrame {
  type: 'edit';
  room: RoomId;
  id: MessageId;
  body: string;
}
/** The author deletes their own message (any time). */
export interface DeleteFrame {
  type: 'delete';
  room: RoomId;
  id: MessageId;
}
export interface LeaveFrame {
  type: 'leave';
  room: RoomId;
}
/** The reader has seen the room's messages up to `id`: their read marker moves forward to it. */
export interface ReadFrame {
  type: 'read';
  room: RoomId;
  id: MessageId;
}

/** The user is typing in the room (sent at most every 3 s while they type; never stored). */
export interface TypingFrame {
  type: 'typing';
  room: RoomId;
}
export type ClientFrame = JoinFrame | SendFrame | LeaveFrame | EditFrame | DeleteFrame | TypingFrame | ReadFrame;

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
  /** Edits and deletions after `since`, in `seq` order, each once (empty without `since`). */
  changes: ChangeFrame[];
  /** The reader's read marker in the room (0: nothing read). */
  lastRead?: MessageId;
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
  /** The message an `edit` or `delete` named, when that frame was refused. */
  id?: MessageId;
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
/**
 * A message was deleted (by its author or a moderator): remove it from the page. `seq` is the
 * change's place in the room's sequence (shared with message ids): a cursor like a message id.
 */
export interface DeletedFrame {
  type: 'deleted';
  room: RoomId;
  seq?: number;
  id: MessageId;
  /** When it was deleted (ms). */
  deletedAt?: number;
}
/** A message's author edited it: show `body` with "(edited)". `seq` as in `deleted`. */
export interface EditedFrame {
  type: 'edited';
  room: RoomId;
  seq: number;
  id: MessageId;
  body: string;
  editedAt: number;
}
export type ChangeFrame = EditedFrame | DeletedFrame;
/** Someone in the room is typing: shown for a few seconds, or until their message arrives. */
export interface UserTypingFrame {
  type: 'typing';
  room: RoomId;
  user: UserRef;
}
/** A room the user is a member of but not viewing here: its unread messages, and those that mention them. */
export interface UnreadFrame {
  type: 'unread';
  room: RoomId;
  count: number;
  mentions: number;
  /** With a new message only: that message as the room list shows it (one line, no Markdown). */
  last?: RoomPreview;
}
/** A room's newest message on the room list: when, whose, and its text as one plain line. */
export interface RoomPreview {
  ts: number;
  user: UserRef;
  text: string;
}
export type ServerFrame =
  | UserTypingFrame
  | UnreadFrame
  | JoinedFrame
  | AckFrame
  | MessageFrame
  | ErrorFrame
  | PresenceFrame
  | MemberFrame
  | LeftFrame
  | ModerationFrame
  | DeletedFrame
  | EditedFrame;

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
