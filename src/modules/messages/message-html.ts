import type { ShownMessage } from './service.js';
import { setBounded } from '../../util/bounded-map.js';

/** What a message's HTML depends on besides the message: the reader's language and role. */
export interface MessageView {
  locale: string;
  canModerate: boolean;
}

/**
 * The chat page's message list as HTML, each message rendered once per language and role and
 * kept: a stored message never changes, so a page view joins kept strings instead of running
 * the template for every message (docs/performance.md). An entry is used only while the
 * message's author name, body, time, edit time, reply quote and mentioned names still match, so a deleted author's new name, or a room
 * id reused after a deletion, renders afresh. At most `max` entries, oldest dropped first.
 */
export function createMessageHtml<V extends MessageView>(render: (m: ShownMessage, view: V) => string, max = 10_000) {
  const kept = new Map<string, { name: string; body: string; ts: number; extra: string; html: string }>();

  function one(m: ShownMessage, view: V): string {
    const key = `${view.locale}|${view.canModerate ? 'm' : ''}|${m.room}|${m.id}`;
    const hit = kept.get(key);
    // An edit changes the body and its time; a reply's quote follows its original; mentions
    // show their users' current names.
    const extra = m.editedAt === undefined && m.replyTo === undefined && !m.mentions ? '' : JSON.stringify([m.editedAt, m.quote, m.mentions]);
    if (hit && hit.name === m.user.name && hit.body === m.body && hit.ts === m.ts && hit.extra === extra) return hit.html;
    const html = render(m, view);
    // A re-render moves the key to the newest end.
    if (hit) kept.delete(key);
    setBounded(kept, key, { name: m.user.name, body: m.body, ts: m.ts, extra, html }, max);
    return html;
  }

  return {
    /** `blocked`: authors whose messages render collapsed (not kept: they are the reader's own view). */
    list: (messages: readonly ShownMessage[], view: V, blocked?: ReadonlySet<number>): string =>
      messages.map((m) => (blocked?.has(m.user.id) ? render(Object.assign({ blocked: true }, m), view) : one(m, view))).join(''),
    get size() {
      return kept.size;
    },
  };
}
