import type { WebSocket } from 'ws';

type WithSocket = WebSocket & { _socket?: { cork(): void; uncork(): void } };

/**
 * Corks a socket on its first write in an event-loop turn and uncorks every corked socket once
 * the turn's work is done, so a burst of frames leaves in one TCP write instead of many.
 */
export function createWriteBatcher() {
  const corked = new Set<WithSocket>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    for (const ws of corked) ws._socket?.uncork();
    corked.clear();
  };
  return {
    /** True while the socket holds this turn's writes; its buffered amount then includes them. */
    isCorked(ws: WebSocket): boolean {
      return corked.has(ws as WithSocket);
    },
    cork(ws: WebSocket): void {
      const w = ws as WithSocket;
      if (corked.has(w) || !w._socket) return;
      w._socket.cork();
      corked.add(w);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}

export type WriteBatcher = ReturnType<typeof createWriteBatcher>;
