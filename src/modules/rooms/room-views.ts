import type { EventBus, Page, Unsubscribe } from '../../live/ports.js';
import { roomChannel } from '../../realtime/events.js';
import type { RoomId, UserRef } from '../../shared/protocol.js';

/** Messages on a chat page. */
export const HISTORY_PAGE = 50;

/** Bounds how long presence held by a dead instance can outlive its expiry on a kept view. */
const VIEW_MS = 10_000;
/** Rooms listened to for their views, at most (each one's events reach this instance). */
const VIEW_MAX = 500;

/** What every reader of a room's chat page sees, whoever they are: the newest messages and who is there. */
export interface RoomView {
  page: Page;
  roster: { members: UserRef[]; online: UserRef[] };
  memberIds: ReadonlySet<number>;
}

interface Entry {
  view: RoomView | undefined;
  until: number;
  usedAt: number;
  /** Bumped by each of the room's events: a read that saw a bump meanwhile is returned, not kept. */
  generation: number;
  loading: Promise<RoomView> | undefined;
  /** This instance's subscription to the room's channel, taken before the first read. */
  listening: Promise<Unsubscribe>;
}

/**
 * The newest view of each room whose chat page was shown lately, kept on this instance. Every
 * change to what it shows is an event on the room's channel (message, deletion, member,
 * presence), so an entry listens to that channel and is dropped by any event. Changes made on
 * this instance drop it before their event goes out (`forget`), so a form post's redirect
 * shows the change. Control events drop it for what does not travel on the channel (pruning,
 * deleted accounts), and `ttlMs` bounds what no event announces: presence held by an instance
 * that died. An entry unused for `ttlMs` stops listening.
 */
export function createRoomViews(deps: {
  bus: EventBus;
  /** The room's newest page, or the page before `before`, with its roster. */
  read: (room: RoomId, before?: number) => Promise<Omit<RoomView, 'memberIds'>>;
  now: () => number;
  log: { warn(obj: object, msg: string): void };
  ttlMs?: number;
  max?: number;
}) {
  const { ttlMs = VIEW_MS, max = VIEW_MAX } = deps;
  const entries = new Map<RoomId, Entry>();
  let sweptAt = deps.now();

  function forget(room: RoomId): void {
    const e = entries.get(room);
    if (!e) return;
    e.generation++;
    e.view = undefined;
    e.loading = undefined;
  }

  function drop(room: RoomId, e: Entry): Promise<void> {
    if (entries.get(room) === e) entries.delete(room);
    return e.listening.then((stop) => stop()).catch((err) => deps.log.warn({ err, room }, 'room view: unsubscribe failed'));
  }

  /** Stops listening to rooms nobody looked at for a while; at most once per `ttlMs`. */
  function sweep(now: number): void {
    if (now - sweptAt < ttlMs) return;
    sweptAt = now;
    for (const [room, e] of entries) if (now - e.usedAt > ttlMs) void drop(room, e);
  }

  // Also swept while nobody views any room, so idle entries do not keep listening.
  const sweeper = setInterval(() => sweep(deps.now()), ttlMs);
  sweeper.unref();

  function entryFor(room: RoomId): Entry {
    const found = entries.get(room);
    if (found) return found;
    if (entries.size >= max) {
      const [oldest, e] = entries.entries().next().value!;
      void drop(oldest, e);
    }
    const e: Entry = { view: undefined, until: 0, usedAt: 0, generation: 0, loading: undefined, listening: deps.bus.subscribe(roomChannel(room), () => forget(room)) };
    // A failed subscription is retried by the next page view.
    e.listening.catch((err) => {
      deps.log.warn({ err, room }, 'room view: subscribe failed');
      if (entries.get(room) === e) entries.delete(room);
    });
    entries.set(room, e);
    return e;
  }

  async function readView(room: RoomId, before?: number): Promise<RoomView> {
    const read = await deps.read(room, before);
    return { ...read, memberIds: new Set(read.roster.members.map((u) => u.id)) };
  }

  async function load(room: RoomId, e: Entry): Promise<RoomView> {
    // Listening first: any event from here on marks what is read as possibly stale.
    const listening = await e.listening.then(
      () => true,
      () => false,
    );
    const generation = e.generation;
    const view = await readView(room);
    if (listening && entries.get(room) === e && e.generation === generation) {
      e.view = view;
      e.until = deps.now() + ttlMs;
    }
    return view;
  }

  return {
    /** The room's view: kept, or read (one read at a time per room, shared by whoever asks meanwhile). */
    get(room: RoomId): Promise<RoomView> {
      const now = deps.now();
      sweep(now);
      const e = entryFor(room);
      e.usedAt = now;
      if (e.view && e.until > now) return Promise.resolve(e.view);
      if (e.loading) return e.loading;
      const loading = load(room, e);
      e.loading = loading;
      const done = () => {
        if (e.loading === loading) e.loading = undefined;
      };
      loading.then(done, done);
      return loading;
    },
    /** An older page of the room (`?before=`), read for this request and not kept. */
    older: (room: RoomId, before: number): Promise<RoomView> => readView(room, before),
    forget,
    /** Events may have been missed (bus lost), or an account's name changed everywhere. */
    forgetAll(): void {
      for (const room of entries.keys()) forget(room);
    },
    /** Stops listening to every room (shutdown, before the bus closes). */
    async close(): Promise<void> {
      clearInterval(sweeper);
      await Promise.all([...entries].map(([room, e]) => drop(room, e)));
    },
    get size(): number {
      return entries.size;
    },
  };
}

export type RoomViews = ReturnType<typeof createRoomViews>;
