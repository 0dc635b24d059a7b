/**
 * Identicon-style avatars without images or requests: a colour class picked from a hash of the
 * user id, and the name's first letter. public/js/chat/templates.js computes the same for live messages
 * (test/browser/look.test.ts compares the two renderings).
 */
const AVATAR_HUES = 12;

/** `Math.imul` keeps the multiplicative hash in 32 bits, identical in the browser. */
export const avatarHue = (id: number | string): number => (Math.imul(Number(id) || 0, 2654435761) >>> 0) % AVATAR_HUES;

/** The first character (code point, not UTF-16 unit) of a name, upper-cased. */
export const initial = (name: string): string => ([...String(name ?? '')][0] ?? '?').toUpperCase();
