/**
 * The live-state boundary. Two implementations, redis/ and embedded/, pass one contract suite
 * (test/live/contract.test.ts); nothing outside src/live knows which one is active.
 */
import type { ChatMessage, MessageId, RoomId, UserRef } from '../shared/protocol.js';

export interface AppendInput {
  room: RoomId;
  user: { id: number; name: string };
  body: string;
  clientId: string;
  ts: number;
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
   * again.
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
   * Deletes one message (moderation). Its clientId stays known, so a late resend of it is
   * acked with the old id and does not bring it back. False when there was no such message.
   */
  remove(room: RoomId, id: MessageId): Promise<boolean>;
  /** Deletes up to `batch` of the room's oldest messages older than `cutoffTs`; returns how many. */
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
  /** Throws when the backing store is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
