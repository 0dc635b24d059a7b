/**
 * The live-state boundary. Two implementations, redis/ and embedded/, pass one contract suite
 * (test/live/contract.test.ts); nothing outside src/live knows which one is active.
 */
import type { ChatMessage, MessageId, RoomId } from '../shared/protocol.js';

export interface AppendInput {
  room: RoomId;
  user: { id: number; name: string };
  body: string;
  clientId: string;
  ts: number;
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

export interface MessageLog {
  /** Stores a message with the room's next id, unless (user, clientId) was stored already. */
  append(input: AppendInput): Promise<AppendResult>;
  page(room: RoomId, query: PageQuery): Promise<Page>;
  /** Removes every message of a room (room deleted). */
  clear(room: RoomId): Promise<void>;
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
  /** Ends every session of a user; returns their ids so their sockets can be closed. */
  destroyAllForUser(userId: number): Promise<string[]>;
}

export interface LiveState {
  readonly kind: 'embedded' | 'redis';
  readonly messages: MessageLog;
  readonly membership: Membership;
  readonly presence: Presence;
  readonly bus: EventBus;
  readonly sessions: SessionStore;
  /** Throws when the backing store is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
