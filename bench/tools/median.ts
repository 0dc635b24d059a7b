/**
 * Medians over several `npm run bench` outputs: the JSON lines of each run are grouped by
 * what they measured (scenario, phase, clients, target, page, stalled) and every numeric field is
 * replaced by its median across runs.
 *   node --import tsx bench/tools/median.ts run1.log run2.log run3.log
 */
import fs from 'node:fs';

type Row = Record<string, unknown>;
const groups = new Map<string, Row[]>();
for (const file of process.argv.slice(2)) {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{"scenario"')) continue;
    const row = JSON.parse(line) as Row;
    if (row.phase === 'step') continue; // saturation steps differ per run; their best is kept
    const key = ['scenario', 'phase', 'clients', 'target', 'page', 'flood', 'stalled'].map((k) => String(row[k] ?? '')).join('|');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
for (const [key, rows] of groups) {
  const out: Row = { runs: rows.length };
  for (const field of Object.keys(rows[0]!)) {
    const values = rows.map((r) => r[field]);
    out[field] = values.every((v) => typeof v === 'number') ? +median(values as number[]).toFixed(2) : values[0];
  }
  console.log(key, JSON.stringify(out));
}
