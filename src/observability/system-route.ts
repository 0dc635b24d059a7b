import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

const CHART = { width: 600, height: 120 };

/** /admin/system: this instance's figures for an admin who does not read Prometheus. */
export default async function systemRoute(app: FastifyInstance) {
  const { hub, activity, rooms, admin } = app.deps;
  app.get('/admin/system', { preHandler: app.requireUser }, async (req, reply) => {
    if (!admin.isAdmin(req.user!)) throw new AppError('forbidden', 'Only admins see the system page');
    const snap = activity.snapshot();
    const names = new Map((await rooms.list()).map((r) => [r.id, r.name]));
    const peak = Math.max(0, ...snap.perMinute);
    // The y axis runs from 0 to the busiest minute (at least 1, so an idle hour draws a flat line).
    const top = Math.max(1, peak);
    const minutes = snap.perMinute.length;
    const barWidth = CHART.width / minutes;
    // Bars as SVG attributes only: no inline style or script, so the strict CSP holds.
    const bars = snap.perMinute.map((n, i) => {
      const h = Math.round((n / top) * (CHART.height - 2));
      return { x: Math.round(i * barWidth), y: CHART.height - h, width: Math.max(1, Math.floor(barWidth) - 1), height: h, n, ago: minutes - 1 - i };
    });
    return reply.view('pages/admin/system.njk', {
      sockets: hub.size,
      onlineUsers: hub.onlineUserCount,
      roomsListened: hub.roomCount,
      lastHour: snap.perMinute.reduce((a, b) => a + b, 0),
      lastMinute: snap.perMinute.at(-1) ?? 0,
      chart: { ...CHART, bars, peak, top, minutes, busy: bars.filter((b) => b.n > 0).reverse() },
      busiest: snap.busiest.map((b) => ({ ...b, name: names.get(b.room) ?? `#${b.room}` })),
      errors: snap.errors,
      csrf: reply.generateCsrf(),
    });
  });
}
