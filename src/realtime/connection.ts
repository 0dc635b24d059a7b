import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { translatorFor, type Translate } from '../i18n/index.js';
import type { User } from '../modules/users/repository.js';
import type { RoomId, ServerFrame } from '../shared/protocol.js';
import { CloseCodes } from '../shared/protocol.js';
import { SmallMap } from '../util/small-map.js';
import type { WriteBatcher } from './write-batcher.js';
import { textFrame } from './ws-frame.js';

export interface RoomState {
  /**
   * Live events held between `join` and the `joined` frame, so `joined` comes first; null once
   * sent. `id` is the message id (0: not a message).
   */
  queue: Array<{ id: number; frame: Buffer }> | null;
  /** The largest message id this socket has of the room: `since`, `missed`, then live ones. */
  lastId: number;
  /** Counted in the hub's per-user socket tally (presence); only then is it uncounted on exit. */
  counted: boolean;
  /** Changes' seqs above `lastId` that `joined` carried already: not sent again live. */
  skip?: Set<number>;
}

/** Sends refused for rate within 10 s before the socket is closed with 1008. */
export const MAX_STRIKES = 20;

export interface ConnectionLimits {
  maxBufferedBytes: number;
}

/**
 * Frames received but not yet handled, beyond which the socket stops being read until the queue
 * drains: a client flooding frames slows only itself, and holds no unbounded queue here.
 */
export const MAX_PENDING_FRAMES = 32;

/** Sends a frame's reply (ack or error) once the replies before it are out. */
export type Reply = () => void;
/** Starts a frame's store at once (in frame order) and resolves with its reply. */
export type Store = () => Promise<Reply | undefined>;

/**
 * Sends whose checks may run at once on one socket: a send's checks wait until the one this many
 * before it has started its store. `ws` hands over every frame of a TCP chunk in one go (pausing
 * stops only the next chunk), so without this bound one 64 KB write of tiny frames would start
 * a thousand checks at once; and a mute or kick meets at most this many sends already checked.
 */
export const PIPELINE_DEPTH = 8;

/** An idle connection's frame chain: one shared settled promise, not one per socket. */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * One authenticated socket: its user, session and rooms (the send budget is the user's, shared
 * by all their sockets: modules/limits/user-limit.ts). Kept small: an idle instance holds
 * thousands (docs/performance.md, idle connections).
 */
export class Connection {
  readonly rooms = new SmallMap<RoomId, RoomState>();
  /** Answered the last ping (or sent something) since the previous heartbeat. */
  alive = true;
  /** Settles once every frame queued so far is done (replies sent): frames reply in order. */
  private chain: Promise<void> = SETTLED;
  /** Settles once every frame queued so far that may not be overlapped (`inOrder`) is done. */
  private barrier: Promise<void> = SETTLED;
  /** Settles once the last frame queued so far has started its store (`pipelined`) or is done. */
  private started: Promise<void> = SETTLED;
  /** The last PIPELINE_DEPTH pipelined frames' store starts, oldest first (null while idle). */
  private inFlight: Array<Promise<void>> | null = null;
  private draining = false;
  private pending = 0;
  /** Refused sends in the current 10 s window: a client that ignores `rate_limited` is cut off. */
  private strikes = 0;
  private strikesSince = 0;
  /** The user's language at the handshake (their choice, else the browser's): error frames' `message` is in it. */
  t: Translate = translatorFor('en');

  constructor(
    readonly socket: WebSocket,
    public user: User,
    readonly sessionId: string,
    private readonly batcher: WriteBatcher,
    private readonly limits: ConnectionLimits,
  ) {}

  /**
   * Runs `task` after every frame queued before it is done. Once the last one is done the
   * chains are the shared settled promise again, so a quiet socket holds no promise of its own.
   */
  inOrder(task: () => Promise<void>): void {
    if (this.draining) return;
    const next: Promise<void> = this.chain.then(() => (this.isOpen() ? task() : undefined)).then((): void => this.settle(next));
    this.admit(next);
    this.barrier = next;
    this.started = next;
    this.inFlight = null; // the frames after this one wait for it, and so for all before it
  }

  /**
   * A frame whose reads may overlap those of the frames before it, for a burst of sends: one
   * store round trip per send in turn would bound a socket to ~1 / RTT sends a second, the
   * limit the scale-out bench hit (docs/performance.md). `prepare` (checks and reads) starts
   * once the `inOrder` frames before it are done; the `store` it returns is called only after
   * the frame before it started its own, so stores start in frame order (and the live state
   * keeps that order: MessageLog.append); the `reply` the store resolves to is sent after every
   * earlier frame's reply. `prepare` and `store` must not throw: they turn failures into replies.
   */
  pipelined(prepare: () => Promise<Store>): void {
    if (this.draining) return;
    const inFlight = (this.inFlight ??= []);
    const window = inFlight.length === PIPELINE_DEPTH ? inFlight.shift()! : SETTLED;
    const prepared = Promise.all([this.barrier, window]).then(() => (this.isOpen() ? prepare() : undefined));
    let started!: () => void;
    const turn = new Promise<void>((resolve) => (started = resolve));
    inFlight.push(turn);
    const stored = Promise.all([prepared, this.started]).then(
      ([store]) => {
        try {
          return store?.();
        } finally {
          started();
        }
      },
      (err: unknown) => {
        started();
        throw err;
      },
    );
    const next: Promise<void> = Promise.all([stored, this.chain])
      .then(
        ([reply]) => {
          if (reply && this.isOpen()) reply();
        },
        // A handler broke its promise not to throw: the socket's order is lost, so it goes
        // (the client resumes with `since`); the process and other sockets carry on.
        () => this.socket.terminate(),
      )
      // Nothing may escape as an unhandled rejection (it would end the process).
      .catch(() => this.socket.terminate())
      .then((): void => this.settle(next));
    this.admit(next);
    this.started = turn;
  }

  /** Counts a queued frame; past MAX_PENDING_FRAMES the socket stops being read. */
  private admit(next: Promise<void>): void {
    this.chain = next;
    if (++this.pending === MAX_PENDING_FRAMES) this.socket.pause();
  }

  /** A frame is done: reads resume below the cap; the last one lets the chains go. */
  private settle(done: Promise<void>): void {
    const ws = this.socket;
    if (--this.pending === MAX_PENDING_FRAMES - 1 && ws.isPaused) ws.resume();
    if (this.chain === done) {
      this.chain = this.barrier = this.started = SETTLED;
      this.inFlight = null;
    }
  }

  /** A frame still queued when its socket closed is dropped: nobody is there to answer. */
  private isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Shutdown: frames received from now on are dropped unhandled (never stored, never acked). */
  drain(): void {
    this.draining = true;
  }

  /** Settles once every task queued so far is done. */
  framesDone(): Promise<void> {
    return this.chain;
  }

  /** Starts holding a room's live events until `markJoined`; the hub keeps the returned state. */
  enter(room: RoomId): RoomState {
    const state: RoomState = { queue: [], lastId: 0, counted: false };
    this.rooms.set(room, state);
    return state;
  }

  send(frame: ServerFrame): void {
    this.write(textFrame(Buffer.from(JSON.stringify(frame))));
  }

  /**
   * Writes a complete frame (`textFrame`) to the socket's TCP stream, past `ws`'s sender, which
   * holds nothing of its own without per-message deflate (off, app.ts). A socket too far behind
   * is dropped, not waited for. The check runs at a turn's first write, when the buffer holds
   * only what earlier flushes could not hand to the kernel: this turn's own corked writes are
   * not a sign of a slow reader.
   */
  write(frame: Buffer): void {
    const ws = this.socket;
    if (ws.readyState !== ws.OPEN) return;
    if (!this.batcher.isCorked(ws) && ws.bufferedAmount > this.limits.maxBufferedBytes) {
      ws.terminate();
      return;
    }
    this.batcher.cork(ws);
    (ws as WebSocket & { _socket: Socket })._socket.write(frame);
  }

  /**
   * A room event, framed: written now, or queued while this socket is still joining the room.
   * A message (`id` > 0) the socket already has is dropped: the hub hands them out in id order,
   * so each reaches the socket once, in order, after what `joined` carried.
   */
  deliver(room: RoomId, frame: Buffer, id = 0): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (state.queue !== null) state.queue.push({ id, frame });
    else if (id === 0) this.write(frame);
    else if (id > state.lastId) {
      state.lastId = id;
      if (state.skip?.delete(id)) {
        if (state.skip.size === 0) state.skip = undefined;
        return;
      }
      this.write(frame);
    }
  }

  /** `joined` was sent, carrying the room's messages up to `lastId`: live events flow from here. */
  markJoined(room: RoomId, lastId: number, skip: number[] = []): void {
    const state = this.rooms.get(room);
    if (!state || state.queue === null) return;
    const held = state.queue;
    state.queue = null;
    state.lastId = lastId;
    if (skip.length > 0) state.skip = new Set(skip);
    for (const { id, frame } of held) this.deliver(room, frame, id);
  }

  isJoined(room: RoomId): boolean {
    return this.rooms.get(room)?.queue === null;
  }

  /** Counts a refused send; true when the client keeps sending regardless and must go. */
  strike(now: number): boolean {
    if (now - this.strikesSince > 10_000) {
      this.strikes = 0;
      this.strikesSince = now;
    }
    return ++this.strikes > MAX_STRIKES;
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  closeForSession(): void {
    this.close(CloseCodes.sessionGone, 'session ended');
  }
}
