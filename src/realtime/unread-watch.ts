import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { LiveState, Unsubscribe } from '../live/ports.js';
import { userChannel, userEventSchema } from '../modules/unread/channels.js';
import { controlEventSchema, parseBusEvent } from './events.js';
import type { ReadMarkers } from '../modules/unread/markers.js';
import { roomPreview } from '../modules/unread/service.js';
import type { RoomId, RoomPreview, UnreadFrame } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import { CONTROL_CHANNEL, roomChannel } from './events.js';
import { mentionedIds, messageAuthor, messageId } from './frame-fields.js';
import { textFrame } from './ws-frame.js';

/** The fields of a `message` frame a room-list preview needs (checked: it came over the bus). */
const userRefSchema = z.object({ id: z.number().int(), name: z.string() });
const previewFieldsSchema = z.object({
  ts: z.number(),
  user: userRefSchema,
  body: z.string(),
  mentions: z.array(userRefSchema).optional(),
  here: z.literal(true).optional(),
});

/** A message frame's room-list preview; undefined if the frame is not one we can read. */
function previewOf(bytes: Buffer): RoomPreview | undefined {
  const m = parseBusEvent(previewFieldsSchema, bytes);
  return m && roomPreview(m);
}

interface Counts {
  count: number;
  mentions: number;
}

/** What reached a room's channel while the user's counts there were read from storage. */
type Arrivals = Map<RoomId, { id: number; mentioned: boolean; bytes: Buffer }[]>;

interface WatchedUser {
  sockets: Set<Connection>;
  /** Per member room; filled by `load`. */
  counts: Map<RoomId, Counts>;
  /** One per read of counts under way: messages it may not have counted. */
  reading: Set<Arrivals>;
  listening: Promise<Unsubscribe>;
  ready: Promise<void>;
  /** When the counts were last read from storage (ms). */
  loadedAt: number;
}

interface WatchedRoom {
  users: Set<number>;
  listening: Promise<Unsubscribe>;
  /** Ids counted lately: a message delivered twice is counted once. */
  recent: Set<number>;
}

const RECENT_IDS = 256;
/** Counts kept here are read again from storage at least this often, whatever drifted. */
export const RESYNC_MS = 5 * 60_000;
/** Users re-read per resync tick, at most: the storage reads are spread out. */
const RESYNC_BATCH = 200;

/**
 * Unread counts for the users with a socket on this instance (docs/architecture.md, Unread).
 * A room's messages already reach every instance once, on the room's channel: an instance
 * listening there for its users' rooms counts each message for each of its local users who
 * are members (one subscription per room and instance, however many members), and tells those
 * users' sockets that are not viewing the room. Reads travel on each user's own channel (one
 * subscription per user and instance) and set the counts back. Counts are read from storage
 * when a user's first socket here arrives, when they enter a room newly, and after a bus outage.
 */
export function createUnreadWatch(deps: { live: LiveState; markers: ReadMarkers; log: FastifyBaseLogger; now?: () => number }) {
  const { live, log } = deps;
  const now = deps.now ?? Date.now;
  let resyncTimer: NodeJS.Timeout | undefined;
  const users = new Map<number, WatchedUser>();
  const rooms = new Map<RoomId, WatchedRoom>();
  let stopControl: Promise<Unsubscribe> | undefined;

  function frameFor(room: RoomId, c: Counts, last?: RoomPreview): Buffer {
    const f: UnreadFrame = { type: 'unread', room, count: c.count, mentions: c.mentions, ...(last ? { last } : {}) };
    return textFrame(Buffer.from(JSON.stringify(f)));
  }

  /** To the user's sockets here that are not viewing the room. */
  function tell(u: WatchedUser, room: RoomId, frame: Buffer) {
    for (const conn of u.sockets) if (!conn.rooms.has(room)) conn.write(frame);
  }

  function onMessage(room: RoomId, bytes: Buffer) {
    // Read from the bytes, not parsed: every message of every watched room passes here.
    const id = messageId(bytes);
    const entry = rooms.get(room);
    if (!entry || id === 0) return;
    if (entry.recent.has(id)) return;
    entry.recent.add(id);
    if (entry.recent.size > RECENT_IDS) entry.recent.delete(entry.recent.values().next().value!);
    const author = messageAuthor(bytes);
    const mentioned = mentionedIds(bytes);
    // The room list's preview of it, parsed once for all the users told (none: never parsed).
    let last: RoomPreview | undefined | null = null;
    for (const uid of entry.users) {
      const u = users.get(uid);
      if (!u) continue;
      // The author's own message is not unread, but their other tabs' room lists show it.
      const own = author === uid;
      const mentionsThem = !own && mentioned.includes(uid);
      if (!own) for (const arrivals of u.reading) arrivals.get(room)?.push({ id, mentioned: mentionsThem, bytes });
      const c = u.counts.get(room);
      if (!c) continue;
      if (!own) c.count++;
      if (mentionsThem) c.mentions++;
      if (last === null) last = previewOf(bytes);
      tell(u, room, frameFor(room, c, last));
    }
  }

  function listenRoom(room: RoomId, uid: number): Promise<unknown> {
    let entry = rooms.get(room);
    if (!entry) {
      const created: WatchedRoom = { users: new Set(), recent: new Set(), listening: live.bus.subscribe(roomChannel(room), (b) => onMessage(room, b)) };
      created.listening.catch((err) => {
        log.warn({ err, room }, 'unread: room subscription failed');
        if (rooms.get(room) === created) rooms.delete(room);
      });
      rooms.set(room, (entry = created));
    }
    entry.users.add(uid);
    return entry.listening;
  }

  function unlistenRoom(room: RoomId, uid: number) {
    const entry = rooms.get(room);
    if (!entry || !entry.users.delete(uid) || entry.users.size > 0) return;
    rooms.delete(room);
    entry.listening.then((stop) => stop()).catch((err) => log.warn({ err, room }, 'unread: unsubscribe failed'));
  }

  /**
   * Reads the user's counts in these rooms from storage, once listening to them. A message can
   * arrive on the channel before the read but be stored after it: each room is counted up to the
   * newest id it had given out when the read began, and what arrives above that is added by
   * `settle`, called right where the counts are put in place (nothing is missed or counted twice
   * in between); it returns the newest such message per room, for the room list's preview.
   * A mention is recorded just after its message is stored, so one in a message stored right as
   * the read ran may be missed until the next read (RESYNC_MS).
   */
  async function count(uid: number, u: WatchedUser, roomIds: RoomId[]): Promise<{ counts: Map<RoomId, Counts>; settle: () => Map<RoomId, Buffer> }> {
    const arrivals: Arrivals = new Map(roomIds.map((r) => [r, []]));
    u.reading.add(arrivals);
    try {
      await Promise.allSettled(roomIds.map((r) => listenRoom(r, uid)));
      const markers = await deps.markers.getMany(uid, roomIds);
      const counts = new Map<RoomId, Counts>();
      const upTo = new Map<RoomId, number>();
      await Promise.all(
        roomIds.map(async (room) => {
          const after = markers.get(room) ?? 0;
          const newest = await live.messages.newest(room);
          const [n, mentions] = await Promise.all([live.unread.countAfter(room, after, newest), live.mentions.count(room, uid, after, newest)]);
          counts.set(room, { count: n, mentions });
          upTo.set(room, Math.max(after, newest));
        }),
      );
      const settle = () => {
        u.reading.delete(arrivals);
        const newest = new Map<RoomId, Buffer>();
        for (const [room, c] of counts) {
          let top = upTo.get(room)!;
          for (const a of arrivals.get(room)!) {
            if (a.id <= upTo.get(room)!) continue;
            c.count++;
            if (a.mentioned) c.mentions++;
            if (a.id <= top) continue;
            top = a.id;
            newest.set(room, a.bytes);
          }
        }
        return newest;
      };
      return { counts, settle };
    } catch (err) {
      u.reading.delete(arrivals);
      throw err;
    }
  }

  async function load(uid: number, u: WatchedUser): Promise<void> {
    await u.listening;
    const roomIds = await live.membership.roomsOf(uid);
    const { counts, settle } = await count(uid, u, roomIds);
    // Removed from a room while its counts were read: the removal's event found nothing to drop
    // yet, so the rooms are read again (the removal is stored before its event is published).
    const still = new Set(await live.membership.roomsOf(uid));
    const arrived = settle();
    for (const room of [...counts.keys()]) {
      if (still.has(room)) continue;
      counts.delete(room);
      unlistenRoom(room, uid);
    }
    if (users.get(uid) !== u) {
      // The user's last socket left meanwhile: the rooms just listened to are let go again
      // (unless the user is back, with a socket whose own load listens to them).
      if (!users.has(uid)) for (const room of counts.keys()) unlistenRoom(room, uid);
      return;
    }
    for (const room of u.counts.keys()) if (!counts.has(room)) unlistenRoom(room, uid);
    // A re-read that found other counts than were kept tells the sockets.
    for (const [room, c] of counts) {
      const kept = u.counts.get(room);
      if (kept && (kept.count !== c.count || kept.mentions !== c.mentions)) tell(u, room, frameFor(room, c));
    }
    const first = [...counts.keys()].filter((room) => !u.counts.has(room));
    u.counts = counts;
    u.loadedAt = now();
    // A message that came while a room was first counted was told to nobody: its preview goes out now.
    for (const room of first) previewArrival(u, room, counts.get(room)!, arrived.get(room));
  }

  function previewArrival(u: WatchedUser, room: RoomId, c: Counts, bytes: Buffer | undefined) {
    const last = bytes && previewOf(bytes);
    if (last) tell(u, room, frameFor(room, c, last));
  }

  function resync(): void {
    const due = now() - RESYNC_MS;
    let n = 0;
    for (const [uid, u] of users) {
      if (u.loadedAt > due) continue;
      u.loadedAt = now(); // not picked again while this read runs
      u.ready = load(uid, u).catch((err) => log.warn({ err, userId: uid }, 'unread: resync failed'));
      if (++n >= RESYNC_BATCH) break;
    }
  }

  function onUserEvent(uid: number, bytes: Buffer) {
    const u = users.get(uid);
    if (!u) return;
    const f = parseBusEvent(userEventSchema, bytes);
    if (!f) return log.warn({ userId: uid }, 'unread: a malformed event on the user channel was ignored');
    const c = u.counts.get(f.room);
    if (c) {
      c.count = f.count;
      c.mentions = f.mentions;
    }
    // Re-serialized from what was checked: nothing else on the bus reaches a socket.
    tell(u, f.room, frameFor(f.room, f));
  }

  function dropRoomOf(uid: number, room: RoomId) {
    const u = users.get(uid);
    if (!u?.counts.delete(room)) return;
    unlistenRoom(room, uid);
  }

  return {
    start(): void {
      stopControl = live.bus.subscribe(CONTROL_CHANNEL, (bytes) => {
        // A malformed event is the hub's to log (it subscribes to the same channel).
        const ev = parseBusEvent(controlEventSchema, bytes);
        if (ev?.type === 'leave-room' || ev?.type === 'bar') dropRoomOf(ev.userId, ev.room);
        if (ev?.type === 'room-deleted') for (const uid of rooms.get(ev.room)?.users ?? []) dropRoomOf(uid, ev.room);
      });
      stopControl.catch((err) => log.error({ err }, 'unread: control subscription failed'));
      resyncTimer = setInterval(resync, 10_000);
      resyncTimer.unref();
      live.bus.onInterruption({
        lost: () => {},
        // Messages and reads may have been missed meanwhile: counts are read again.
        resumed: () => {
          for (const [uid, u] of users) u.ready = load(uid, u).catch((err) => log.warn({ err, userId: uid }, 'unread: reload failed'));
        },
      });
    },

    /** A socket arrived: its user's counts are kept here while they have one; it gets the rooms with unread messages. */
    async watch(conn: Connection): Promise<void> {
      const uid = conn.user.id;
      let u = users.get(uid);
      if (!u) {
        const created: WatchedUser = {
          sockets: new Set(),
          counts: new Map(),
          reading: new Set(),
          listening: live.bus.subscribe(userChannel(uid), (b) => onUserEvent(uid, b)),
          ready: Promise.resolve(),
          loadedAt: now(),
        };
        created.ready = load(uid, created);
        users.set(uid, (u = created));
      }
      u.sockets.add(conn);
      try {
        await u.ready;
      } catch (err) {
        log.warn({ err, userId: uid }, 'unread: loading counts failed');
        return;
      }
      for (const [room, c] of u.counts) if (c.count > 0 && !conn.rooms.has(room)) conn.write(frameFor(room, c));
    },

    unwatch(conn: Connection): void {
      const uid = conn.user.id;
      const u = users.get(uid);
      if (!u || !u.sockets.delete(conn) || u.sockets.size > 0) return;
      users.delete(uid);
      for (const room of u.counts.keys()) unlistenRoom(room, uid);
      u.listening.then((stop) => stop()).catch((err) => log.warn({ err, userId: uid }, 'unread: unsubscribe failed'));
    },

    /** The user's socket entered a room: a room they just joined is counted from now on. */
    async entered(conn: Connection, room: RoomId): Promise<void> {
      const u = users.get(conn.user.id);
      if (!u || u.counts.has(room)) return;
      await u.ready.catch(() => {});
      if (u.counts.has(room)) return;
      const { counts, settle } = await count(conn.user.id, u, [room]);
      // As in `load`: a removal that came meanwhile found nothing to drop.
      const member = await live.membership.isMember(room, conn.user.id);
      const arrived = settle();
      if (!member || users.get(conn.user.id) !== u) return unlistenRoom(room, conn.user.id);
      u.counts.set(room, counts.get(room)!);
      previewArrival(u, room, counts.get(room)!, arrived.get(room));
    },

    async stop(): Promise<void> {
      if (resyncTimer) clearInterval(resyncTimer);
      const stops = [...users.values()].map((u) => u.listening).concat([...rooms.values()].map((r) => r.listening));
      if (stopControl) stops.push(stopControl);
      users.clear();
      rooms.clear();
      await Promise.allSettled(stops.map((p) => p.then((stop) => stop())));
    },

    get watchedUsers(): number {
      return users.size;
    },

    /** Whether the user's counts in the room are kept here (read and in place): from then on every message is told. */
    counting(userId: number, room: RoomId): boolean {
      return users.get(userId)?.counts.has(room) ?? false;
    },
  };
}

export type UnreadWatch = ReturnType<typeof createUnreadWatch>;
