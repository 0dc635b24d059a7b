import type { ChatMessage } from '../../shared/protocol.js';
import { setBounded } from '../../util/bounded-map.js';

/** What a message's HTML depends on besides the message: the reader's language and role. */
export interface MessageView {
  locale: string;
  canModerate: boolean;
}

/** What else a message's HTML depends on: its mentions' current names, or '' without any. */
const mentionKey = (m: ChatMessage) => (m.mentions ? JSON.stringify(m.mentions) : '');

/**
 * The chat page's message list as HTML, each message rendered once per language and role and
 * kept: a stored message never changes, so a page view joins kept strings instead of running
 * the template for every message (docs/performance.md). An entry is used only while the
 * message's author name, body and time still match, so a deleted author's new name, or a room
 * id reused after a deletion, renders afresh. At most `max` entries, oldest dropped first.
 */
export function createMessageHtml<V extends MessageView>(render: (m: ChatMessage, view: V) => string, max = 10_000) {
  const kept = new Map<string, { name: string; body: string; ts: number; mentions: string; html: string }>();

  function one(m: ChatMessage, view: V): string {
    const mentions = mentionKey(m);
    const key = `${view.locale}|${view.canModerate ? 'm' : ''}|${m.room}|${m.id}`;
    const hit = kept.get(key);
    if (hit && hit.name === m.user.name && hit.body === m.body && hit.ts === m.ts && hit.mentions === mentions) return hit.html;
    const html = render(m, view);
    // A re-render moves the key to the newest end.
    if (hit) kept.delete(key);
    setBounded(kept, key, { name: m.user.name, body: m.body, ts: m.ts, mentions, html }, max);
    return html;
  }

  return {
    list: (messages: readonly ChatMessage[], view: V): string => messages.map((m) => one(m, view)).join(''),
    get size() {
      return kept.size;
    },
  };
}
