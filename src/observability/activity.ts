/**
 * What the admin system page shows a person: messages per minute for the last hour, the
 * busiest rooms, and recent errors. Kept in this instance's memory (figures are per instance).
 */
const MINUTES = 60;

export interface RecentError {
  at: number;
  source: string;
  message: string;
}

export function createActivity(now: () => number) {
  const minutes = new Map<number, { total: number; rooms: Map<number, number> }>();
  const errors: RecentError[] = [];
  const minuteOf = (t: number) => Math.floor(t / 60_000);

  function forget() {
    const oldest = minuteOf(now()) - MINUTES + 1;
    for (const m of minutes.keys()) if (m < oldest) minutes.delete(m);
  }

  return {
    message(room: number): void {
      const m = minuteOf(now());
      let bucket = minutes.get(m);
      if (!bucket) {
        minutes.set(m, (bucket = { total: 0, rooms: new Map() }));
        forget();
      }
      bucket.total++;
      bucket.rooms.set(room, (bucket.rooms.get(room) ?? 0) + 1);
    },
    error(source: string, message: string): void {
      errors.unshift({ at: now(), source, message: message.slice(0, 300) });
      errors.length = Math.min(errors.length, 20);
    },
    snapshot() {
      forget();
      const current = minuteOf(now());
      const perMinute = Array.from({ length: MINUTES }, (_, i) => minutes.get(current - MINUTES + 1 + i)?.total ?? 0);
      const byRoom = new Map<number, number>();
      for (const b of minutes.values()) for (const [room, n] of b.rooms) byRoom.set(room, (byRoom.get(room) ?? 0) + n);
      const busiest = [...byRoom].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([room, count]) => ({ room, count }));
      return { perMinute, busiest, errors: [...errors] };
    },
  };
}

export type Activity = ReturnType<typeof createActivity>;
