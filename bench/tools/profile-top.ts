/**
 * Summarises V8 CPU profiles (from `npm run bench -- --profile DIR`, i.e. node --cpu-prof):
 * the functions with the most self time, and the packages/files they come from.
 *   node --import tsx bench/tools/profile-top.ts DIR/*.cpuprofile [--top 25]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
for (const file of positionals) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const where = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^file:\/\/.*?\/node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/');
    fn.set(`${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`, (fn.get(`${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`) ?? 0) + us);
    const origin = url === '' ? `(${functionName})` : short.startsWith('node:') ? 'node internals' : short.split('/').slice(0, short.startsWith('@') ? 2 : 1).join('/');
    where.set(origin, (where.get(origin) ?? 0) + us);
  }
  const show = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`).join('\n');
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled\n-- by origin\n${show(where, 15)}\n-- by function (self time)\n${show(fn, Number(values.top))}`);
}
