/**
 * The live-state boundary. Two implementations, redis/ and embedded/, pass one contract suite
 * (test/live/contract.test.ts); nothing outside src/live knows which one is active.
 */
import type { ChangeFrame, ChatMessage, EditedFrame, MessageId, RoomId, UserRef } from '../shared/protocol.js';

export interface AppendInput {
  room: RoomId;
  user: { id: number; name: string };
  body: string;
  clientId: string;
  ts: number;
  /** The message this one answers (checked to exist by the caller). */
  replyTo?: MessageId;
  /** Resolved by the message service (ChatMessage.mentions); absent: none. */
  mentions?: UserRef[];
  here?: true;
}

export interface AppendResult {
  message: ChatMessage;
  /** The same (user, clientId) was stored before: this is the first copy, nothing new stored. */
  duplicate: boolean;
}

export interface PageQuery {
  /** Only messages with id < before (newest page below it). */
  before?: MessageId;
  /** Only messages with id > after (oldest page above it). */
  after?: MessageId;
  limit: number;
}

export interface Page {
  /** Oldest first. */
  messages: ChatMessage[];
  /** More messages exist beyond this page in the direction asked. */
  hasMore: boolean;
}

export interface StoredPage {
  /** Each message's stored JSON (`{"id":…,"ts":…,"user":{…},…}`, no room), oldest first. */
  items: Buffer[];
  hasMore: boolean;
}

export interface MessageLog {
  /**
   * Stores a message with the room's next id, unless (user, clientId) was stored already, and
   * publishes its `message` frame on the room's channel (`roomChannel`) on the log's bus: in
   * the same atomic step on Redis, right after the commit in SQL. A duplicate is not published
   * again. Appends to one room called in turn (without waiting) are stored in that order: a
   * socket's pipelined sends rely on it (realtime/connection.ts).
   */
  append(input: AppendInput): Promise<AppendResult>;
  page(room: RoomId, query: PageQuery): Promise<Page>;
  /**
   * The same page as its messages' stored JSON, where a log keeps each as `JSON.stringify` of
   * the message without its room (message-json.ts): history responses pass them through.
   */
  pageJson?(room: RoomId, query: PageQuery): Promise<StoredPage>;
  /** Removes every message of a room (room deleted). */
  clear(room: RoomId): Promise<void>;
  /**
   * Deletes one message (its author or a moderator). Its clientId stays known, so a late resend
   * of it is acked with the old id and does not bring it back. The deletion takes the room's
   * next id as its `seq`, is kept as a change and its `deleted` frame published on the room's
   * channel (atomically on Redis, after the commit in SQL). False when there was no such message.
   */
  remove(room: RoomId, id: MessageId, at: number): Promise<boolean>;
  /** One message, as stored now; undefined when there is none (never was, deleted, pruned). */
  get(room: RoomId, id: MessageId): Promise<ChatMessage | undefined>;
  /**
   * Replaces the body of `expected` (as `get` returned it) and records the edit as a change with
   * the room's next id as its `seq`, publishing its `edited` frame like `remove`. Undefined when
   * the message is gone; `conflict` when it changed since it was read (the caller reads again).
   */
  edit(room: RoomId, expected: ChatMessage, body: string, editedAt: number): Promise<EditedFrame | 'conflict' | undefined>;
  /**
   * The largest id (message or change seq) the room has given out, 0 for none. Everything up to
   * it is stored (or was deleted) by the time this returns.
   */
  newest(room: RoomId): Promise<number>;
  /** The room's changes with `seq` > after, oldest first. */
  changes(room: RoomId, after: number, limit: number): Promise<{ changes: ChangeFrame[]; hasMore: boolean }>;
  /**
   * Deletes up to `batch` of the room's oldest messages older than `cutoffTs`; returns how many.
   * Once fewer than `batch` are left to delete, changes made before the cutoff go too.
   */
  prune(room: RoomId, cutoffTs: number, batch: number): Promise<number>;
}

export interface Membership {
  /** True when the user was not a member before. */
  join(room: RoomId, userId: number): Promise<boolean>;
  /** True when the user was a member before. */
  leave(room: RoomId, userId: number): Promise<boolean>;
  isMember(room: RoomId, userId: number): Promise<boolean>;
  /** User ids, in joining order. */
  members(room: RoomId): Promise<number[]>;
  /** The rooms the user is a member of, in no particular order (room list, unread counts). */
  roomsOf(userId: number): Promise<RoomId[]>;
}

/** Unread counts over the message log (read markers themselves are durable, in SQL). */
export interface UnreadIndex {
  /** How many of the room's messages have an id above `afterId`, and not above `upTo` if given (deleted ones not counted). */
  countAfter(room: RoomId, afterId: MessageId, upTo?: number): Promise<number>;
}

/** Who was mentioned in which message, per room: the `mentions` of an `unread` frame. */
export interface MentionIndex {
  /** Records that the message mentions these users (repeats are kept once). */
  record(room: RoomId, messageId: MessageId, userIds: number[]): Promise<void>;
  /** Messages with id above `afterId` (and not above `upTo` if given) that mention the user. */
  count(room: RoomId, userId: number, afterId: MessageId, upTo?: number): Promise<number>;
  /** Forgets mentions in messages with an id below `beforeId` (pruned with them). */
  prune(room: RoomId, beforeId: MessageId): Promise<void>;
  /** Forgets the mentions of one message (deleted: it no longer counts as unread). */
  forget(room: RoomId, messageId: MessageId): Promise<void>;
  /** Forgets every mention in the room (room deleted). */
  clear(room: RoomId): Promise<void>;
}

export interface Presence {
  /** This instance now has a socket of the user in the room. True when the user came online. */
  connect(room: RoomId, userId: number): Promise<boolean>;
  /** This instance has no socket of the user in the room any more. True when the user went offline. */
  disconnect(room: RoomId, userId: number): Promise<boolean>;
  /** Keeps this instance's entries alive (they expire if the instance dies). */
  refresh(entries: Array<{ room: RoomId; userId: number }>): Promise<void>;
  online(room: RoomId): Promise<number[]>;
}

export type Unsubscribe = () => Promise<void>;

export interface EventBus {
  /** Delivers the payload to every subscriber of the channel on every instance, this one included. */
  publish(channel: string, payload: string): Promise<void>;
  /** The handler gets the payload as bytes, ready to write to sockets unchanged. */
  subscribe(channel: string, handler: (payload: Buffer) => void): Promise<Unsubscribe>;
  /**
   * `lost`: the subscription connection dropped, publishes from now on may be missed.
   * `resumed`: it is back and resubscribed; what was missed since `lost` must be repaired from storage.
   */
  onInterruption(handlers: { lost(): void; resumed(): void }): void;
}

export interface SessionRecord {
  userId: number | null;
  data: string;
  expiresAt: number;
}

export interface SessionStore {
  get(id: string): Promise<SessionRecord | undefined>;
  set(id: string, record: SessionRecord): Promise<void>;
  destroy(id: string): Promise<void>;
  /**
   * Sets the `seenAt` field of an existing session's data (JSON) to a later time, atomically:
   * no other field is written back, a missing session is not created again, its expiry stays.
   */
  touch(id: string, seenAt: number): Promise<void>;
  /** Ends every session of a user; returns their ids so their sockets can be closed. */
  destroyAllForUser(userId: number): Promise<string[]>;
}

/** `mute`: may read, not send. `bar`: kicked (with an end) or banned (without). */
export type RestrictionKind = 'mute' | 'bar';

export interface Restriction {
  room: RoomId;
  userId: number;
  kind: RestrictionKind;
  /** Epoch ms when it ends by itself; null: until lifted. */
  until: number | null;
}

export interface ModerationState {
  /** Sets (or replaces) a restriction. */
  set(r: Restriction): Promise<void>;
  /** True when there was one to lift. */
  clear(room: RoomId, userId: number, kind: RestrictionKind): Promise<boolean>;
  /** The user's restrictions in force at `now` (ended ones count as lifted even before the job removes them). */
  active(room: RoomId, userId: number, now: number): Promise<Partial<Record<RestrictionKind, number | null>>>;
  /** Every restriction in force in a room. */
  inRoom(room: RoomId, now: number): Promise<Restriction[]>;
  /** Removes and returns up to `limit` restrictions that ended by `now`; each is returned once, to one caller. */
  takeExpired(now: number, limit: number): Promise<Restriction[]>;
}

export interface Locks {
  /** Takes a named lock for at most ttlMs; null when another holder has it. Returns the release. */
  acquire(name: string, ttlMs: number): Promise<(() => Promise<void>) | null>;
}

/** Fixed-window counters shared by every instance (sign-in throttling). */
export interface Counters {
  /** Counts one hit on `key`; returns the count in the current window and ms until it resets. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  /** The current count without counting. */
  peek(key: string): Promise<{ count: number; resetMs: number }>;
  reset(key: string): Promise<void>;
}

export interface LiveState {
  readonly kind: 'embedded' | 'redis';
  readonly messages: MessageLog;
  readonly membership: Membership;
  readonly presence: Presence;
  readonly bus: EventBus;
  readonly sessions: SessionStore;
  readonly moderation: ModerationState;
  readonly locks: Locks;
  readonly counters: Counters;
  readonly unread: UnreadIndex;
  readonly mentions: MentionIndex;
  /** Throws when the backing store is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
