/** A reader socket that records, in arrival order, every message id of one room it receives. */
import assert from 'node:assert/strict';
import type { WebClient } from './http.js';
import { eventually } from './wait.js';
import type { WsClient } from './ws.js';

export class MessageStream {
  /** Ids as they arrived on this socket: `joined.missed`, then live `message` frames. */
  readonly ids: number[] = [];
  joined = false;

  private constructor(
    readonly client: WsClient,
    readonly room: number,
    readonly since: number | undefined,
  ) {
    client.socket.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { type: string; room?: number; id?: number; missed?: Array<{ id: number }> };
      if (f.room !== room) return;
      if (f.type === 'joined') {
        this.joined = true;
        this.ids.push(...f.missed!.map((m) => m.id));
      } else if (f.type === 'message') this.ids.push(f.id!);
    });
  }

  /** Joins the room on this socket (with `since` when given) and waits for `joined`. */
  static async open(client: WsClient, room: number, since?: number): Promise<MessageStream> {
    const s = new MessageStream(client, room, since);
    client.send({ type: 'join', room, ...(since === undefined ? {} : { since }) });
    await eventually(() => s.joined || client.closed !== undefined, 10_000, 'joined');
    return s;
  }

  get highest(): number {
    return this.ids.at(-1) ?? this.since ?? 0;
  }

  until(id: number, ms = 10_000): Promise<void> {
    return eventually(() => this.ids.includes(id), ms, `message ${id} (have ${this.ids.length}, last ${this.ids.at(-1)})`);
  }

  /** Strictly increasing: in id order, and no id twice. */
  assertInOrderOnce(): void {
    for (let i = 1; i < this.ids.length; i++) {
      assert.ok(this.ids[i]! > this.ids[i - 1]!, `id ${this.ids[i]} after ${this.ids[i - 1]} (position ${i} of ${this.ids.length})`);
    }
  }
}

/** Every stored message id of a room, oldest first, paged over HTTP. */
export async function storedIds(web: WebClient, room: number): Promise<number[]> {
  const ids: number[] = [];
  for (let after = 0; ; ) {
    const { body } = await web.json<{ messages: Array<{ id: number }>; hasMore: boolean }>(`/rooms/${room}/messages?after=${after}&limit=100`);
    ids.push(...body.messages.map((m) => m.id));
    if (!body.hasMore || body.messages.length === 0) return ids;
    after = body.messages.at(-1)!.id;
  }
}
