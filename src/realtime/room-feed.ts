import type { Page } from '../live/ports.js';
import { changeFrame, messageFrame } from '../live/channels.js';
import type { ChangeFrame } from '../shared/protocol.js';

/** How long a live message may wait for a missing smaller id before storage is asked for it. */
const GAP_WAIT_MS = 500;
const REPAIR_PAGE = 200;

/**
 * One room's messages on their way to this instance's sockets, in id order, each once. Ids are
 * assigned in storage order, but live messages can arrive ahead of a smaller id (appends that
 * finished in another order, a publish missed while the bus connection was down): such a
 * message is held until the missing id arrives, or until a repair reads the range from storage
 * (after `GAP_WAIT_MS`, or at once when the bus says publishes were missed).
 */
export class RoomFeed {
  /** Every message up to this id went out (or is gone from storage); -1 until `start`. */
  lastId = -1;
  /** Live messages that arrived ahead of a missing id, their frames' JSON, by id. */
  private readonly held = new Map<number, Buffer>();
  private repairing = false;
  private repairAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      /** Hands one message's frame JSON (with its `clientId`) to the room's sockets. */
      emit(id: number, payload: Buffer): void;
      /** Stored messages after an id, oldest first. */
      read(after: number, limit: number): Promise<Page>;
      /** Stored changes (edits, deletions) after a seq, oldest first; seqs and ids are one sequence. */
      readChanges(after: number, limit: number): Promise<{ changes: ChangeFrame[]; hasMore: boolean }>;
      /** The room's largest id or seq given out so far: everything up to it is in storage. */
      newest(): Promise<number>;
      onRepairError(err: unknown): void;
    },
  ) {}

  /** Live delivery starts after `newest`, the room's newest stored id when the subscription went live. */
  start(newest: number): void {
    this.lastId = newest;
    this.drain();
  }

  /** A live message from the bus. */
  message(id: number, frame: Buffer): void {
    if (id <= this.lastId) return; // out already: a repeat, or repaired from storage
    if (id === this.lastId + 1 && !this.repairing) {
      this.emit(id, frame);
      if (this.held.size > 0) this.drain();
      return;
    }
    this.held.set(id, frame);
    if (this.lastId >= 0 && !this.repairing) this.waitForGap();
  }

  /** Reads what is missing from storage and sends it out in order, then what was held. */
  async repair(): Promise<void> {
    if (this.lastId < 0 || this.stopped) return;
    if (this.repairing) {
      this.repairAgain = true;
      return;
    }
    this.repairing = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      do {
        this.repairAgain = false;
        // Everything held now, and everything up to `newest`, was stored before these reads
        // start, so they find it: an id up to there that they do not find was deleted. Messages
        // and changes are two reads, so each range is cut at `newest`: what came later is live.
        let upTo = await this.deps.newest();
        if (this.stopped) return;
        for (const id of this.held.keys()) upTo = Math.max(upTo, id);
        for (let after = this.lastId; after < upTo; ) {
          const [page, ch] = await Promise.all([this.deps.read(after, REPAIR_PAGE), this.deps.readChanges(after, REPAIR_PAGE)]);
          if (this.stopped) return;
          let bound = upTo;
          if (page.hasMore) bound = Math.min(bound, page.messages.at(-1)!.id);
          if (ch.hasMore) bound = Math.min(bound, ch.changes.at(-1)!.seq!);
          const items: Array<{ id: number; json: () => string }> = [
            ...page.messages.map((m) => ({ id: m.id, json: () => messageFrame(m) })),
            ...ch.changes.map((c) => ({ id: c.seq!, json: () => changeFrame(c) })),
          ];
          items.sort((a, b) => a.id - b.id);
          for (const it of items) {
            if (it.id > bound) break;
            if (it.id > this.lastId) this.emit(it.id, this.held.get(it.id) ?? Buffer.from(it.json()));
          }
          after = bound;
        }
        this.lastId = Math.max(this.lastId, upTo);
      } while (this.repairAgain);
    } catch (err) {
      this.deps.onRepairError(err);
      this.repairing = false;
      // Storage failed: try again later; held messages stay held meanwhile.
      if (!this.stopped) this.waitForGap();
      return;
    }
    this.repairing = false;
    this.drain();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private emit(id: number, frame: Buffer): void {
    this.lastId = id;
    this.held.delete(id);
    this.deps.emit(id, frame);
  }

  /** Sends held messages that are next in line; a gap that remains is waited for. */
  private drain(): void {
    for (const id of this.held.keys()) if (id <= this.lastId) this.held.delete(id);
    for (let next = this.held.get(this.lastId + 1); next; next = this.held.get(this.lastId + 1)) this.emit(this.lastId + 1, next);
    if (this.held.size > 0) this.waitForGap();
    else {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private waitForGap(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.repair();
    }, GAP_WAIT_MS).unref();
  }
}
