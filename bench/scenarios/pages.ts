import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/support/process.js';
import { spawnNode } from '../lib/proc.js';
import { startHihi, type Scenario } from './common.js';
import { interleaved, type HttpResult } from './http.js';

/**
 * Pages per second: hihi's login page, room list and a chat page showing 50 messages, each
 * against fastify serving the very bytes hihi answered as a static string (same run), and, for
 * the signed-in pages, against the floor: hihi's own stack answering those bytes right after
 * reading the session and the user (bench/references/session-floor.ts). The three take turns in
 * slices (`interleaved`), so that the host's drift during a run weighs on all of them alike.
 * Target: the chat page at ≥ 0.5 × the static reference.
 */
export const pages: Scenario = async (opts) => {
  // Per server: `seconds` measured in `rounds` slices, after `warmSeconds` not counted.
  const seconds = opts.seconds ?? (opts.quick ? 1 : 6);
  const rounds = opts.quick ? 1 : 3;
  const warmSeconds = opts.quick ? 0 : 1;
  const hihi = await startHihi(1, opts);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-pages-'));
  try {
    const room = hihi.rooms[0]!;
    // 50 messages in the room, sent as a user would.
    const ws = await hihi.connect(0);
    for (let i = 0; i < 50; i++) {
      ws.send(JSON.stringify({ type: 'send', room, clientId: `p${i}`, body: `message number ${i}: ${crypto.randomBytes(24).toString('base64')}` }));
    }
    await new Promise<void>((resolve) => {
      let acks = 0;
      ws.on('message', (d: Buffer) => {
        if (d.toString('latin1').startsWith('{"type":"ack"') && ++acks === 50) resolve();
      });
    });
    ws.close();

    const paths = { login: '/login', 'room list': '/rooms', 'chat page (50 messages)': `/rooms/${room}` };
    const signedIn = { cookie: hihi.web.cookieHeader };
    // Every page but the login page is fetched signed in, and only those have a floor.
    const isSignedIn = (p: string) => p !== paths.login;
    const headersFor = (p: string) => (isSignedIn(p) ? signedIn : {});
    const captured: Record<string, { type: string; body: string }> = {};
    for (const p of Object.values(paths)) {
      const res = await fetch(hihi.urls[0]! + p, { headers: headersFor(p) });
      captured[p] = { type: res.headers.get('content-type') ?? 'text/html', body: await res.text() };
    }
    const pagesFile = path.join(dir, 'pages.json');
    fs.writeFileSync(pagesFile, JSON.stringify(captured));
    const port = await freePort();
    const ref = await spawnNode('bench/references/static-pages.ts', { PORT: String(port), PAGES: pagesFile }, async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
    // The floor is one more hihi process on the same storage, so the same session cookie works.
    const floorPort = await freePort();
    const floorUrl = `http://127.0.0.1:${floorPort}`;
    const floor = await spawnNode(
      'bench/references/session-floor.ts',
      { ...hihi.env, PORT: String(floorPort), PAGES: pagesFile },
      async () => (await fetch(`${floorUrl}/readyz`)).ok,
    );

    const rows: Array<{ page: string; hihi: HttpResult; static: HttpResult; floor: HttpResult | undefined; bytes: number }> = [];
    try {
      for (const [page, p] of Object.entries(paths)) {
        const headers = headersFor(p);
        const slice = { seconds: seconds / rounds, headers };
        const [fromStatic, fromFloor, fromHihi] = await interleaved(
          [
            { url: `http://127.0.0.1:${port}${p}`, ...slice },
            isSignedIn(p) ? { url: `${floorUrl}/floor${p}`, ...slice } : undefined,
            { url: hihi.urls[0]! + p, ...slice },
          ],
          { rounds, warmSeconds },
        );
        rows.push({ page, hihi: fromHihi!, static: fromStatic!, floor: fromFloor, bytes: Buffer.byteLength(captured[p]!.body) });
      }
    } finally {
      await Promise.all([ref.stop(), floor.stop()]);
    }
    const failed = (r: HttpResult | undefined) => r !== undefined && (r.errors > 0 || r.non2xx > 0);
    const table = rows.map((r) => ({
      page: r.page,
      bytes: r.bytes,
      'hihi req/s': r.hihi.requestsPerSec,
      'static req/s': r.static.requestsPerSec,
      'vs static': +(r.hihi.requestsPerSec / r.static.requestsPerSec).toFixed(2),
      'floor req/s': r.floor?.requestsPerSec ?? '',
      'floor vs static': r.floor ? +(r.floor.requestsPerSec / r.static.requestsPerSec).toFixed(2) : '',
      'vs floor': r.floor ? +(r.hihi.requestsPerSec / r.floor.requestsPerSec).toFixed(2) : '',
      'hihi p99 ms': r.hihi.p99ms,
      'static p99 ms': r.static.p99ms,
      'hihi errors/non-2xx': `${r.hihi.errors}/${r.hihi.non2xx}`,
    }));
    return {
      json: table,
      table,
      broken: rows.filter((r) => failed(r.hihi) || failed(r.floor)).map((r) => `hihi or its floor: ${r.page} answered errors`),
    };
  } finally {
    await hihi.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
