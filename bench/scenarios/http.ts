import autocannon from 'autocannon';
import { percentile } from './common.js';

export interface HttpResult {
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  non2xx: number;
}

/** autocannon against one URL: requests per second and latency percentiles. */
export async function cannon(opts: {
  url: string;
  seconds: number;
  connections?: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
  /** Headers that change per request (e.g. a fresh X-Forwarded-For). */
  perRequest?: () => Record<string, string>;
}): Promise<HttpResult> {
  const r = await autocannon({
    url: opts.url,
    duration: opts.seconds,
    connections: opts.connections ?? 10,
    headers: opts.headers ?? {},
    method: opts.method ?? 'GET',
    ...(opts.body ? { body: opts.body } : {}),
    ...(opts.perRequest
      ? {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => ({ ...req, headers: { ...req.headers, ...opts.perRequest!() } }),
            },
          ],
        }
      : {}),
  });
  return {
    requestsPerSec: Math.round(r.requests.average),
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/**
 * autocannon against several servers in turn: a warm-up each, then short slices round after
 * round, each round starting one further along. A host whose speed drifts during a run (on a
 * shared 2-core machine it does, by ×2 within seconds) then weighs on every server alike, and
 * no server always follows the same one. Per server: the mean rate over its slices, the median
 * p50 and the worst slice's p99. Undefined entries stay undefined.
 */
export async function interleaved(
  targets: Array<Parameters<typeof cannon>[0] | undefined>,
  opts: { rounds: number; warmSeconds: number },
): Promise<Array<HttpResult | undefined>> {
  const present = targets.flatMap((t, i) => (t ? [i] : []));
  if (opts.warmSeconds > 0) for (const i of present) await cannon({ ...targets[i]!, seconds: opts.warmSeconds });
  const slices: HttpResult[][] = targets.map(() => []);
  for (let round = 0; round < opts.rounds; round++) {
    for (let k = 0; k < present.length; k++) {
      const i = present[(round + k) % present.length]!;
      slices[i]!.push(await cannon(targets[i]!));
    }
  }
  return slices.map((s, i) =>
    targets[i] === undefined
      ? undefined
      : {
          requestsPerSec: Math.round(s.reduce((sum, r) => sum + r.requestsPerSec, 0) / s.length),
          p50ms: percentile(s.map((r) => r.p50ms).sort((a, b) => a - b), 50),
          p99ms: Math.max(...s.map((r) => r.p99ms)),
          errors: s.reduce((sum, r) => sum + r.errors, 0),
          non2xx: s.reduce((sum, r) => sum + r.non2xx, 0),
        },
  );
}
