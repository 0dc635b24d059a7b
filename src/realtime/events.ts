/**
 * What travels on the event bus. Room channels carry server→client frames already serialized,
 * so each instance writes the same bytes to all its sockets; the control channel carries
 * instructions to every instance (close these sessions, drop this user from that room).
 */
import { z } from 'zod';
import type { RoomId, ServerFrame } from '../shared/protocol.js';
import { CONTROL_CHANNEL, roomChannel } from '../live/channels.js';
import type { EventBus } from '../live/ports.js';

export { CONTROL_CHANNEL, roomChannel } from '../live/channels.js';

export const controlEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('close-sessions'), sessionIds: z.array(z.string()), code: z.number().int() }),
  z.object({ type: z.literal('leave-room'), room: z.number().int(), userId: z.number().int() }),
  /** Kicked or banned: the user's sockets leave the room and are told why and until when. */
  z.object({
    type: z.literal('bar'),
    room: z.number().int(),
    userId: z.number().int(),
    code: z.enum(['kicked', 'banned']),
    until: z.number().nullable(),
  }),
  /** The room was deleted: every socket leaves it. */
  z.object({ type: z.literal('room-deleted'), room: z.number().int() }),
  /** Close every socket of a user (disabled: 4003; password reset: 4001). */
  z.object({ type: z.literal('close-user'), userId: z.number().int(), code: z.number().int() }),
  /**
   * The user's account changed (permissions, disabled, deleted, settings): drop what was kept of
   * it. `name`: their new display name, which their open sockets send from now on.
   */
  z.object({ type: z.literal('user-changed'), userId: z.number().int(), name: z.string().optional() }),
  /** The room's settings or stored messages changed (edited, created, pruned): drop what was kept of it. */
  z.object({ type: z.literal('room-changed'), room: z.number().int() }),
]);
export type ControlEvent = z.infer<typeof controlEventSchema>;

/**
 * A bus message checked against its schema, like any input from outside the process;
 * undefined when it is not JSON or not of that shape.
 */
export function parseBusEvent<T extends z.ZodTypeAny>(schema: T, bytes: Buffer): z.infer<T> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString());
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export function createEventPublisher(bus: EventBus) {
  const beforeRoomEvent: Array<(room: RoomId) => void> = [];
  return {
    /**
     * `fn` runs as this instance sends each room event, before it goes out: what the instance
     * keeps of the room is dropped at once, not when the event comes back through the bus.
     */
    onRoomEvent(fn: (room: RoomId) => void): void {
      beforeRoomEvent.push(fn);
    },
    /** Serialized once here; every instance forwards these bytes unchanged. */
    toRoom(room: RoomId, frame: ServerFrame): Promise<void> {
      this.sent(room);
      return bus.publish(roomChannel(room), JSON.stringify(frame));
    },
    /**
     * A room event nothing keeps (typing): published as is, without the `onRoomEvent` hooks, so
     * what instances keep of the room (its view, its pages) stays.
     */
    ephemeral(room: RoomId, frame: ServerFrame): Promise<void> {
      return bus.publish(roomChannel(room), JSON.stringify(frame));
    },
    /** A room event that went out another way (a message: the append published it): runs the `onRoomEvent` hooks. */
    sent(room: RoomId): void {
      for (const fn of beforeRoomEvent) fn(room);
    },
    control(event: ControlEvent): Promise<void> {
      return bus.publish(CONTROL_CHANNEL, JSON.stringify(event));
    },
  };
}

export type EventPublisher = ReturnType<typeof createEventPublisher>;
