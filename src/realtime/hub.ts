import { once } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { LiveState, SessionRecord, Unsubscribe } from '../live/ports.js';
import { sessionTimeout, useToRecord, type SessionLimits, type SessionStamps } from '../modules/auth/session-lifetime.js';
import type { Metrics } from '../observability/metrics.js';
import type { RoomId, ServerFrame } from '../shared/protocol.js';
import { RestrictedError } from '../errors.js';
import { CloseCodes } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import { CONTROL_CHANNEL, controlEventSchema, parseBusEvent, roomChannel, type EventPublisher } from './events.js';
import { RoomFeed } from './room-feed.js';
import { changeSeq, messageId, messageTs } from './frame-fields.js';
import { messageFrames } from './message-frames.js';
import { textFrame } from './ws-frame.js';

interface RoomEntry {
  connections: Set<Connection>;
  /** The room's messages in id order, each once. */
  feed: RoomFeed;
  /** The bus subscription, with the room's newest id read after it; resolved once live delivery can start. */
  subscribed: Promise<Unsubscribe>;
}

/** Sessions (or rooms) read together in one heartbeat's re-check. */
const RECHECK_CHUNK = 500;

/** Runs `check` on the items a chunk at a time, each chunk's reads concurrently (Redis pipelines them). */
async function inChunks<T>(items: T[], check: (chunk: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += RECHECK_CHUNK) await check(items.slice(i, i + RECHECK_CHUNK));
}

/** What a socket is told, in its user's language, as it is taken out of a room its user was kicked or banned from. */
function barNotice(c: Connection, room: RoomId, code: 'kicked' | 'banned', until: number | null): ServerFrame {
  const err = new RestrictedError(code, until, code === 'banned' ? 'You were banned from this room' : 'You were removed from this room');
  return { type: 'error', code, room, message: err.shown(c.t), ...(until === null ? {} : { until }) };
}

/** A signed-in session's stamps, or undefined when the record is gone, signed out or unreadable. */
function signedInStamps(record: SessionRecord | undefined): SessionStamps | undefined {
  if (!record || record.userId === null) return undefined;
  try {
    return JSON.parse(record.data) as SessionStamps;
  } catch {
    return undefined;
  }
}

/** Shutdown: how long frames already received may take to finish, and clients to answer the close. */
const DRAIN_MS = 5000;
const CLOSE_WAIT_MS = 2000;

const within = (ms: number, p: Promise<unknown>) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    void p.finally(() => {
      clearTimeout(t);
      resolve();
    });
  });

/** Closes with 1001; a socket whose client does not answer the close frame soon is cut, so shutdown never waits on it. */
async function closeGoingAway(conns: Connection[]): Promise<void> {
  const closed = conns.map((c) => (c.socket.readyState === c.socket.CLOSED ? undefined : once(c.socket, 'close')));
  for (const c of conns) c.close(CloseCodes.goingAway, 'server shutting down');
  await within(CLOSE_WAIT_MS, Promise.allSettled(closed));
  for (const c of conns) c.socket.terminate();
}

/**
 * This instance's sockets. Subscribes to a room's channel while it has a socket in the room and
 * hands each event's bytes to every local socket in it; tracks presence for (room, user) pairs.
 */
export function createHub(deps: {
  live: LiveState;
  events: EventPublisher;
  log: FastifyBaseLogger;
  heartbeatMs: number;
  /** The sessions' absolute and idle limits, checked against their own stamps every heartbeat. */
  session: SessionLimits;
  metrics: Metrics;
  now: () => number;
  /** What this instance keeps of users and rooms, dropped on control events and bus loss. */
  forget: { user(id: number): void; room(id: number): void; all(): void };
}) {
  const { live, events, log } = deps;
  const connections = new Set<Connection>();
  /** The same sockets by user and by session: control events and checks look up, never scan. */
  const byUser = new Map<number, Set<Connection>>();
  const bySession = new Map<string, Set<Connection>>();
  const rooms = new Map<RoomId, RoomEntry>();
  /** Local sockets per "room:user": presence changes only on 0 ↔ 1. */
  const userSockets = new Map<string, number>();
  let stopControl: Unsubscribe | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let stopping = false;

  function subscribeRoom(room: RoomId): RoomEntry {
    let entry = rooms.get(room);
    if (entry) return entry;
    const conns = new Set<Connection>();
    const feed = new RoomFeed({
      emit(id, payload) {
        const { author, own, others } = messageFrames(payload);
        for (const c of conns) c.deliver(room, c.user.id === author ? own : others, id);
        deps.metrics.deliveries.inc(conns.size);
      },
      read: (after, limit) => live.messages.page(room, { after, limit }),
      readChanges: (after, limit) => live.messages.changes(room, after, limit),
      newest: () => live.messages.newest(room),
      onRepairError: (err) => log.warn({ err, room }, 'repairing missed messages failed; retrying'),
    });
    const subscribed = live.bus
      .subscribe(roomChannel(room), (bytes) => {
        const id = messageId(bytes) || changeSeq(bytes);
        if (id === 0) {
          const frame = textFrame(bytes);
          for (const c of conns) c.deliver(room, frame);
          deps.metrics.deliveries.inc(conns.size);
          return;
        }
        if (id <= feed.lastId) return; // a repeat: out already
        const ts = messageTs(bytes);
        if (ts > 0) deps.metrics.fanoutSeconds.observe(Math.max(0, deps.now() - ts) / 1000);
        feed.message(id, bytes);
      })
      .then(async (unsubscribe) => {
        // Live delivery starts after the newest message stored once the channel is live; a
        // joining socket reads `missed` after this, so nothing falls in between.
        try {
          feed.start(await live.messages.newest(room));
          return unsubscribe;
        } catch (err) {
          await unsubscribe().catch(() => {});
          throw err;
        }
      });
    entry = { connections: conns, feed, subscribed };
    rooms.set(room, entry);
    const created = entry;
    subscribed.catch((err) => {
      log.error({ err, room }, 'room subscription failed');
      feed.stop();
      if (rooms.get(room) === created) rooms.delete(room);
    });
    return entry;
  }

  async function enterRoom(conn: Connection, room: RoomId): Promise<void> {
    if (conn.rooms.has(room)) return;
    const entry = subscribeRoom(room);
    const state = conn.enter(room);
    entry.connections.add(conn);
    await entry.subscribed;
    // The socket closed or left while we waited: nothing to count.
    if (conn.rooms.get(room) !== state) return;
    const key = `${room}:${conn.user.id}`;
    const n = (userSockets.get(key) ?? 0) + 1;
    userSockets.set(key, n);
    state.counted = true;
    if (n === 1 && (await live.presence.connect(room, conn.user.id))) {
      await events.toRoom(room, { type: 'presence', room, user: { id: conn.user.id, name: conn.user.displayName }, online: true });
    }
  }

  async function exitRoom(conn: Connection, room: RoomId): Promise<void> {
    const state = conn.rooms.get(room);
    if (!state) return;
    conn.rooms.delete(room);
    const entry = rooms.get(room);
    if (entry) {
      entry.connections.delete(conn);
      if (entry.connections.size === 0) {
        rooms.delete(room);
        entry.feed.stop();
        entry.subscribed.then((unsubscribe) => unsubscribe()).catch((err) => log.warn({ err, room }, 'unsubscribe failed'));
      }
    }
    if (!state.counted) return;
    const key = `${room}:${conn.user.id}`;
    const n = (userSockets.get(key) ?? 1) - 1;
    if (n > 0) {
      userSockets.set(key, n);
      return;
    }
    userSockets.delete(key);
    if (await live.presence.disconnect(room, conn.user.id)) {
      await events.toRoom(room, { type: 'presence', room, user: { id: conn.user.id, name: conn.user.displayName }, online: false });
    }
  }

  function index<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection, add: boolean) {
    let set = map.get(key);
    if (add) {
      if (!set) map.set(key, (set = new Set()));
      set.add(conn);
    } else if (set?.delete(conn) && set.size === 0) {
      map.delete(key);
    }
  }

  /** Copies, because the callback may close sockets and so change the sets. */
  const userSocketsIn = (userId: number, room?: RoomId) =>
    [...(byUser.get(userId) ?? [])].filter((c) => room === undefined || c.rooms.has(room));

  /** Takes a socket out of a room and tells it why. */
  function detach(c: Connection, room: RoomId, notice: ServerFrame) {
    exitRoom(c, room).catch((err) => log.warn({ err }, 'leaving a room failed'));
    c.send(notice);
  }

  async function onControl(bytes: Buffer): Promise<void> {
    const ev = parseBusEvent(controlEventSchema, bytes);
    if (!ev) return log.warn({ bytes: bytes.length }, 'bad control event ignored');
    switch (ev.type) {
      case 'close-sessions':
        for (const sid of ev.sessionIds) for (const c of [...(bySession.get(sid) ?? [])]) c.close(ev.code, 'session ended');
        return;
      case 'close-user':
        for (const c of userSocketsIn(ev.userId)) c.close(ev.code, ev.code === CloseCodes.accountDisabled ? 'account disabled' : 'session ended');
        return;
      case 'leave-room':
        for (const c of userSocketsIn(ev.userId, ev.room)) detach(c, ev.room, { type: 'left', room: ev.room });
        return;
      case 'bar':
        for (const c of userSocketsIn(ev.userId, ev.room)) detach(c, ev.room, barNotice(c, ev.room, ev.code, ev.until));
        return;
      case 'user-changed':
        deps.forget.user(ev.userId);
        if (ev.name !== undefined) for (const c of userSocketsIn(ev.userId)) c.user = { ...c.user, displayName: ev.name };
        return;
      case 'room-changed':
        deps.forget.room(ev.room);
        return;
      case 'room-deleted':
        deps.forget.room(ev.room);
        for (const c of [...(rooms.get(ev.room)?.connections ?? [])]) detach(c, ev.room, { type: 'left', room: ev.room });
        return;
    }
  }

  /**
   * Sockets whose session ended (destroyed elsewhere, or past its absolute or idle limit by its
   * own stamps: the store's expiry alone is not the rule) are closed with 4001. A session with
   * an open socket is in use: its last-use stamp is recorded as a page view's would be. Sessions
   * are read a chunk at a time, concurrently (Redis pipelines them), not one after another.
   */
  async function recheckSessions(): Promise<void> {
    await inChunks([...bySession], async (chunk) => {
      const records = await Promise.all(chunk.map(([sid]) => live.sessions.get(sid)));
      const t = deps.now();
      const touches: Promise<void>[] = [];
      chunk.forEach(([sid, conns], j) => {
        const stamps = signedInStamps(records[j]);
        if (stamps && !sessionTimeout(stamps, deps.session, t)) {
          if (useToRecord(stamps, t)) touches.push(live.sessions.touch(sid, t));
          return;
        }
        for (const c of [...conns]) c.closeForSession();
      });
      await Promise.all(touches);
    });
  }

  /**
   * Sockets of users now kicked or banned from a room leave it, as the `bar` control event
   * would have made them: a lost event must not leave a barred user reading the room live
   * (sends and joins read the live state themselves). One read per room listened to here.
   */
  async function recheckBars(): Promise<void> {
    const t = deps.now();
    await inChunks([...rooms.keys()], async (chunk) => {
      const lists = await Promise.all(chunk.map((room) => live.moderation.inRoom(room, t)));
      chunk.forEach((room, j) => {
        for (const r of lists[j]!) {
          if (r.kind !== 'bar') continue;
          for (const c of userSocketsIn(r.userId, room)) detach(c, room, barNotice(c, room, r.until === null ? 'banned' : 'kicked', r.until));
        }
      });
    });
  }

  /** After the bus connection came back: each room's sockets get what was stored meanwhile, in order. */
  async function repairAfterReconnect(): Promise<void> {
    await Promise.all([...rooms.values()].map((entry) => entry.feed.repair()));
    log.warn({ rooms: rooms.size }, 'event bus reconnected; rooms brought up to date');
  }

  function beat(): void {
    recheckSessions().catch((err) => log.warn({ err }, 'session re-check failed'));
    recheckBars().catch((err) => log.warn({ err }, 'room bar re-check failed'));
    for (const c of connections) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
    const held = [...userSockets.keys()].map((k) => {
      const [room, userId] = k.split(':').map(Number) as [number, number];
      return { room, userId };
    });
    live.presence.refresh(held).catch((err) => log.warn({ err }, 'presence refresh failed'));
  }

  return {
    async start(): Promise<void> {
      live.bus.onInterruption({
        lost: () => {
          // Control events may be missed while the bus is down: drop what is kept now, and again when it is back.
          deps.forget.all();
        },
        resumed: () => {
          deps.forget.all();
          repairAfterReconnect().catch((err) => log.error({ err }, 'repair after reconnect failed'));
        },
      });
      stopControl = await live.bus.subscribe(CONTROL_CHANNEL, (b) => {
        onControl(b).catch((err) => log.error({ err }, 'control event failed'));
      });
      heartbeat = setInterval(beat, deps.heartbeatMs);
      heartbeat.unref();
    },
    /** False when the instance is shutting down: the socket is closed with 1001 instead. */
    add(conn: Connection): boolean {
      if (stopping) {
        closeGoingAway([conn]).catch((err) => log.warn({ err }, 'closing a late socket failed'));
        return false;
      }
      connections.add(conn);
      index(byUser, conn.user.id, conn, true);
      index(bySession, conn.sessionId, conn, true);
      return true;
    },
    /** Open sockets of a user on this instance. */
    countForUser(userId: number): number {
      return byUser.get(userId)?.size ?? 0;
    },
    async remove(conn: Connection): Promise<void> {
      if (!connections.delete(conn)) return;
      index(byUser, conn.user.id, conn, false);
      index(bySession, conn.sessionId, conn, false);
      await Promise.all(conn.rooms.keys().map((room) => exitRoom(conn, room)));
    },
    enterRoom,
    exitRoom,
    get size(): number {
      return connections.size;
    },
    get roomCount(): number {
      return rooms.size;
    },
    get onlineUserCount(): number {
      return byUser.size;
    },
    /**
     * Server shutdown, once no new connection is accepted (stop-accepting.ts): frames already
     * received finish and their answers (acks) go out, then every socket closes with 1001 so
     * clients reconnect elsewhere.
     */
    async stop(): Promise<void> {
      stopping = true;
      if (heartbeat) clearInterval(heartbeat);
      const open = [...connections];
      // No new frame is taken: the client resends what was not acked once it has reconnected.
      for (const c of open) c.drain();
      await within(DRAIN_MS, Promise.allSettled(open.map((c) => c.framesDone())));
      await closeGoingAway(open);
      await Promise.allSettled(open.map((c) => this.remove(c)));
      await stopControl?.();
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
