import { z } from 'zod';

export const loginSchema = z.strictObject({
  username: z.string().max(200),
  password: z.string().max(1024),
  /** "Remember me": a persistent cookie for the session's lifetime instead of a browser-session one. */
  remember: z.literal('1').optional(),
  _csrf: z.string(),
  next: z.string().max(2000).optional(),
});

/** The sign-in page's query. Built once: zod compiles each schema on its first parse. */
export const loginQuerySchema = z.object({ next: loginSchema.shape.next });

/** Resolves `next` against; never seen outside (only its path is returned). */
const BASE = 'http://hihi.invalid';
/** Control characters (C0, DEL, C1), backslashes: browsers drop or reinterpret them (`/\t/evil`, `/\evil`). */
const REFUSED = /[\u0000-\u001f\u007f-\u009f\\]/;

/**
 * Where to go after sign-in, the language switch or a no-JS form: a path on this site, or
 * `/rooms`. An allow-list, not a deny-list: the value must start with one `/`, contain no
 * control character or backslash, and resolve against this origin to this origin; what is
 * returned is the resolved path, so non-ASCII is percent-encoded and the value is always a
 * valid `Location` header (a raw `中` made the header invalid and crashed the reply).
 */
export function safeNextPath(next: string | undefined): string {
  if (!next || next[0] !== '/' || REFUSED.test(next)) return '/rooms';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/rooms';
  }
  if (url.origin !== BASE) return '/rooms';
  const path = url.pathname + url.search + url.hash;
  // `/a/..//evil` resolves to the path `//evil`, which a browser reads as another host.
  return /^\/(?![/\\])[\u0021-\u007e]*$/.test(path) ? path : '/rooms';
}
