import type { EventBus } from '../ports.js';

/** In-process pub/sub. Delivery is asynchronous, like Redis, so callers cannot depend on re-entrancy. */
export function createMemoryEventBus(): EventBus {
  const channels = new Map<string, Set<(payload: Buffer) => void>>();
  return {
    async publish(channel, payload) {
      const handlers = channels.get(channel);
      if (!handlers || handlers.size === 0) return;
      const bytes = Buffer.from(payload);
      queueMicrotask(() => {
        for (const h of handlers) h(bytes);
      });
    },
    // In-process delivery cannot be interrupted.
    onInterruption() {},
    async subscribe(channel, handler) {
      let handlers = channels.get(channel);
      if (!handlers) channels.set(channel, (handlers = new Set()));
      handlers.add(handler);
      return async () => {
        handlers.delete(handler);
        if (handlers.size === 0 && channels.get(channel) === handlers) channels.delete(channel);
      };
    },
  };
}
