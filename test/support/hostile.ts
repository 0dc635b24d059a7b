/**
 * Hostile input for property tests of the HTTP surface: arbitrary strings (any code unit, lone
 * surrogates included), control characters, redirect tricks and huge values, sent as the raw
 * bytes a browser or a script could send (lone surrogates as their WTF-8 bytes, which a
 * browser's own encoder would have replaced).
 */
import fc from 'fast-check';

/** Percent-encodes every byte but the unreserved ones; lone surrogates become WTF-8 bytes. */
export function encodeRaw(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (/[A-Za-z0-9_.~-]/.test(s[i]!)) {
      out += s[i];
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    const bytes =
      cp < 0x80 ? [cp]
      : cp < 0x800 ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
      : cp < 0x10000 ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
      : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `a=1&b=2&b=3` from pairs (a name may repeat: duplicate keys become arrays on the server). */
export const encodePairs = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${encodeRaw(k)}=${encodeRaw(v)}`).join('&');

/** Redirect tricks: schemes, protocol-relative paths, backslashes, tabs, controls, non-ASCII. */
const REDIRECT_TRICKS = [
  '/\t/evil.com', '/\t\\evil.com', '//evil.com', '/\\evil.com', '\\\\evil.com', 'https://evil.com', 'javascript:alert(1)',
  '/中', '/%E4%B8%AD', '/\u000b', '/\u0000x', '/\r\nSet-Cookie: a=b', '/a/..//evil.com', '/./\\evil.com', '/%2F%2Fevil.com',
  '/\u2028', '/\ud800', '/\udfff/x', '/?q=\u00e9#\u{1f600}', ' /rooms', '/rooms\u0085', '/\u00a0', '/ /evil', '/..\\evil',
];

/** One hostile string; with `path`, most start with `/` so they get past the first check. */
export function hostileString({ path = false } = {}): fc.Arbitrary<string> {
  const anything = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
    fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 }),
    fc.constantFrom(...REDIRECT_TRICKS),
    fc.integer().map(String),
    fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', '__proto__', 'constructor', 'true', 'null', '[]', '{}'),
  );
  const huge = fc.constantFrom('x'.repeat(70_000), '中'.repeat(3000), '/'.repeat(3000), '\ud800'.repeat(2500));
  return path
    ? fc.oneof({ arbitrary: anything.map((s) => `/${s}`), weight: 3 }, { arbitrary: anything, weight: 2 }, { arbitrary: huge, weight: 1 })
    : fc.oneof({ arbitrary: anything, weight: 6 }, { arbitrary: huge, weight: 1 });
}

/** A Location header is a same-origin path: what a browser resolves it to stays on `origin`. */
export function isSameOriginPath(location: string | null, origin: string): boolean {
  if (!location || !/^\/(?![/\\])[\u0021-\u007e]*$/.test(location)) return false;
  return new URL(location, origin).origin === origin;
}

/**
 * Records unhandled rejections while a suite runs (one would stop a real server: close-with-grace
 * shuts down on it). `alive` asserts the server still answers and none happened.
 */
export function watchRejections() {
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => void rejections.push(err);
  return {
    start: () => void process.on('unhandledRejection', onRejection),
    stop: () => void process.off('unhandledRejection', onRejection),
    async alive(url: string) {
      const res = await fetch(`${url}/healthz`);
      if (res.status !== 200 || rejections.length) throw new Error(`healthz ${res.status}; unhandled rejections: ${rejections.map(String).join('; ')}`);
    },
  };
}
