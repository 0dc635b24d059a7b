import { sessionCookieName } from '../../src/plugins/session.js';

/** A tiny cookie-keeping HTTP client that behaves like a browser filling in forms. */
export class WebClient {
  readonly cookies = new Map<string, string>();
  /** Sent with every request (e.g. X-Forwarded-For to act as another address behind a trusted proxy). */
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The session id in the (unprefixed, http) session cookie, without its signature. */
  get sessionId(): string {
    return decodeURIComponent(this.cookies.get(sessionCookieName(false))!).split('.')[0]!;
  }

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...this.headers,
        ...(this.cookies.size ? { cookie: this.cookieHeader } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /expires=thu, 01 jan 1970/i.test(a) || /max-age=0/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }

  async json<T = unknown>(path: string): Promise<{ status: number; body: T }> {
    const res = await this.get(path, { accept: 'application/json' });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** GETs the page that holds the form, then posts it with that page's CSRF token. */
  async submit(formPage: string, action: string, fields: Record<string, string>): Promise<Response> {
    const page = await (await this.get(formPage)).text();
    const csrf = extractCsrf(page);
    return this.request('POST', action, { _csrf: csrf, ...fields });
  }

  /** Creates a room with the room list's form (must be allowed to) and returns its id. */
  async createRoom(name: string, description?: string): Promise<number> {
    const res = await this.submit('/rooms', '/rooms', { name, ...(description === undefined ? {} : { description }) });
    const location = res.headers.get('location');
    if (res.status !== 303 || !location) throw new Error(`creating room ${name}: ${res.status}`);
    return Number(location.split('/').pop());
  }

  async login(username: string, password: string): Promise<Response> {
    return this.submit('/login', '/login', { username, password });
  }
}

export function extractCsrf(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error('no _csrf field on the page');
  return m[1]!;
}
