/** Property-based tests: the parsers of outside input never throw and never accept what they must not. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loginSchema } from '../../src/modules/auth/schemas.js';
import { moderationFormSchema } from '../../src/modules/moderation/schemas.js';
import { createRoomSchema } from '../../src/modules/rooms/schemas.js';
import { codePoints } from '../../src/modules/users/names.js';
import { renderMarkdown } from '../../public/js/shared/markdown.js';
import { parseFrame } from '../../src/realtime/frames.js';

const CODES = new Set(['invalid', 'too_long']);
const validFrame = fc.oneof(
  fc.record({ type: fc.constant('join'), room: fc.integer({ min: 1, max: 2 ** 31 - 1 }), since: fc.option(fc.nat(), { nil: undefined }) }),
  fc.record({
    type: fc.constant('send'),
    room: fc.integer({ min: 1, max: 1000 }),
    clientId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    body: fc.string({ minLength: 1, maxLength: 3000, unit: 'grapheme' }),
  }),
  fc.record({ type: fc.constant('leave'), room: fc.integer({ min: 1, max: 1000 }) }),
);

test('parseFrame never throws, whatever the text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (text) => {
      const r = parseFrame(text);
      if (!r.ok) assert.ok(CODES.has(r.code) && r.message.length > 0);
    }),
    { numRuns: 3000 },
  );
});

test('any JSON value that is not exactly a frame is refused', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const r = parseFrame(JSON.stringify(value));
      if (r.ok) {
        // Only real frames get through, with nothing extra on them.
        const f = r.frame as unknown as Record<string, unknown>;
        assert.ok(['join', 'send', 'leave'].includes(f.type as string));
      }
    }),
    { numRuns: 3000 },
  );
});

test('valid frames parse; bodies come out trimmed and within 2000 characters, or too_long', () => {
  fc.assert(
    fc.property(validFrame, (frame) => {
      const r = parseFrame(JSON.stringify(frame));
      if (frame.type !== 'send') return assert.equal(r.ok, true);
      const trimmed = frame.body.trim();
      if (trimmed.length === 0) return assert.equal(!r.ok && r.code, 'invalid');
      if (codePoints(trimmed) > 2000) return assert.equal(!r.ok && r.code, 'too_long');
      assert.ok(r.ok && r.frame.type === 'send' && r.frame.body === trimmed);
    }),
    { numRuns: 2000 },
  );
});

test('a valid frame with any extra field, or a field of the wrong type, is refused', () => {
  fc.assert(
    fc.property(
      validFrame,
      fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !['type', 'room', 'since', 'clientId', 'body'].includes(k)),
      fc.jsonValue(),
      (frame, key, value) => {
        assert.equal(parseFrame(JSON.stringify({ ...frame, [key]: value })).ok, false);
        assert.equal(parseFrame(JSON.stringify({ ...frame, room: [frame.room] })).ok, false);
      },
    ),
    { numRuns: 1000 },
  );
});

test('form parsers never throw, and accepted room names are clean', () => {
  const field = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(''));
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom('name', 'description', '_csrf', 'x', 'action', 'username', 'minutes', 'userId', 'messageId', 'reason', 'password'), field), (form) => {
      for (const schema of [createRoomSchema, moderationFormSchema, loginSchema]) schema.safeParse(form);
      const room = createRoomSchema.safeParse(form);
      if (room.success) {
        assert.ok(codePoints(room.data.name) >= 1 && codePoints(room.data.name) <= 64);
        assert.doesNotMatch(room.data.name, /[\p{Cc}\u202A-\u202E\u2066-\u2069\u200B-\u200F]/u);
      }
    }),
    { numRuns: 3000 },
  );
});

test('message HTML has no markup but its own anchors and tags, and only http(s) hrefs', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.webUrl(), fc.string(), (a, url, b) => {
      const html = renderMarkdown(`${a} ${url} ${b}`);
      const withoutAnchors = html
        .replace(/<a href="[^"<>]*" rel="noopener noreferrer nofollow ugc" target="_blank">/g, '')
        .replace(/<\/?(?:p|a|strong|em|del|code|pre|blockquote|ul|li)>|<ol(?: start="\d+")?>|<\/ol>|<pre tabindex="0">/g, '');
      assert.doesNotMatch(withoutAnchors, /[<>]/);
      for (const m of html.matchAll(/href="([^"]*)"/g)) assert.match(m[1]!, /^https?:\/\//);
    }),
    { numRuns: 2000 },
  );
});
