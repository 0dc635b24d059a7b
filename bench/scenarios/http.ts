import autocannon from 'autocannon';

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
