import { storedAuthor } from '../live/message-json.js';
import type { RoomId } from '../shared/protocol.js';
import type { Connection } from './connection.js';
import { textFrame } from './ws-frame.js';

/** One room event of this turn, framed once for the author's sockets and once for everyone else's. */
interface TurnEvent {
  /** Message id; 0 for any other room event. */
  id: number;
  /** Author of a message (0: none): only their sockets get `clientId`. */
  author: number;
  own: Buffer;
  others: Buffer;
}

interface RoomTurn {
  conns: ReadonlySet<Connection>;
  events: TurnEvent[];
}

const CLIENT_ID = Buffer.from(',"clientId":"');

/**
 * The message frame without its `clientId`: only the sender's own sockets match a pending line
 * by it (public/js/chat.js), so the room's other sockets are not sent its bytes. A quote inside
 * a JSON string is escaped, so the first `,"clientId":"` is the field; its value is letters,
 * digits, `_` and `-` (frames.ts), so it ends at the next quote.
 */
export function withoutClientId(payload: Buffer): Buffer {
  const at = payload.indexOf(CLIENT_ID);
  if (at < 0) return payload;
  const end = payload.indexOf(0x22, at + CLIENT_ID.length);
  if (end < 0) return payload;
  return Buffer.concat([payload.subarray(0, at), payload.subarray(end + 1)]);
}

/**
 * Room events handed to sockets once per event-loop turn instead of once per event: every
 * socket of the room gets the turn's frames joined in one buffer and one write (a busy room's
 * turn carries many messages; per-event writes cost a `write` call, a queue entry and a
 * `writev` slot per socket per event, where the bare broadcast's fan-out ran out of CPU:
 * docs/performance.md, scale-out). Order is kept: a room's events, messages or not, go out in
 * the order they came. A socket that is still joining, or already has some of the turn's
 * messages, takes them one by one through `Connection.deliver`, which holds or drops them.
 */
export function createRoomTurns(onDelivered: (n: number) => void) {
  const pending = new Map<RoomId, RoomTurn>();
  let scheduled = false;

  function flushRoom(room: RoomId, { conns, events }: RoomTurn): void {
    let firstId = 0;
    let lastId = 0;
    let authors: Set<number> | undefined;
    for (const e of events) {
      if (e.id > 0) {
        if (firstId === 0) firstId = e.id;
        lastId = e.id;
      }
      if (e.author > 0) (authors ??= new Set()).add(e.author);
    }
    let others: Buffer | undefined;
    const own = new Map<number, Buffer>();
    const joined = (user: number) => {
      if (!authors?.has(user)) return (others ??= events.length === 1 ? events[0]!.others : Buffer.concat(events.map((e) => e.others)));
      let b = own.get(user);
      if (!b) own.set(user, (b = Buffer.concat(events.map((e) => (e.author === user ? e.own : e.others)))));
      return b;
    };
    for (const c of conns) {
      if (c.deliverTurn(room, firstId, lastId, joined)) continue;
      for (const e of events) c.deliver(room, e.author === c.user.id ? e.own : e.others, e.id);
    }
    onDelivered(conns.size * events.length);
  }

  function flush(): void {
    scheduled = false;
    // A delivery can close a socket and so change a room's set: the turn is taken first.
    const turns = [...pending];
    pending.clear();
    for (const [room, turn] of turns) flushRoom(room, turn);
  }

  return {
    /** A room event's bytes (a message's carrying `clientId`); goes out at the end of this turn. */
    add(room: RoomId, conns: ReadonlySet<Connection>, id: number, payload: Buffer): void {
      let turn = pending.get(room);
      if (!turn) pending.set(room, (turn = { conns, events: [] }));
      const author = id > 0 ? (storedAuthor(payload)?.id ?? 0) : 0;
      const own = textFrame(payload);
      turn.events.push({ id, author, own, others: author > 0 ? textFrame(withoutClientId(payload)) : own });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}
