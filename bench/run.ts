/**
 * npm run bench -- [--scenario NAME[,NAME…]|all] [--quick] [--targets a,b] [--clients N] [--rate R] [--seconds T] [--rounds N] [--profile DIR]
 *
 * Scenarios (docs/performance.md says what each measures and against which reference):
 *   big-room       N clients in one room, 10 senders, a steady rate
 *   saturation     big room, rate doubled until a target falls behind; then all at half of hihi's
 *   scale-out      1,000 clients in one room over two hihi instances + Redis (one core) vs the ceiling
 *   small-rooms    1,000 rooms × 5 clients
 *   slow-consumer  big room with one client that never reads
 *   idle           10,000 idle sockets: memory per connection, time to accept them
 *   pages          login page, room list, chat page (50 messages) vs the same bytes served static
 *   login          a sign-in flood: sign-ins/s and p99 of other pages meanwhile
 *   history        a page of 50 from a 1,000,000-message room, vs the bare Redis read
 * Every figure comes with a reference measured in the same run. Loopback only; bounded in time
 * and count. Prints one JSON line per measurement and a table per scenario; exits 1 on any lost
 * or duplicated delivery. `--quick` shrinks everything to prove the harness works (CI).
 *
 * `npm run bench` gives the load generator a 64 MB young generation (--max-semi-space-size): with
 * V8's default (16 MB) it promoted ~2.6 MB per scavenge while reading hihi's frames (~1.3 KB while
 * reading the ceiling's) and spent ~1.1 s more of a big-room run in GC, so its own collector,
 * not the server, set part of hihi's saturation figure (docs/performance.md, ninth round).
 */
import { parseArgs } from 'node:util';
import { scenarios, type Options } from './scenarios/index.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'big-room' },
    quick: { type: 'boolean', default: false },
    clients: { type: 'string' },
    senders: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    targets: { type: 'string' },
    profile: { type: 'string' },
  },
});

const names = values.scenario === 'all' ? Object.keys(scenarios) : values.scenario.split(',');
for (const n of names) {
  if (!scenarios[n]) {
    console.error(`unknown scenario ${n}; known: ${Object.keys(scenarios).join(', ')}, all`);
    process.exit(2);
  }
}
const opts: Options = {
  quick: values.quick,
  ...(values.clients ? { clients: Number(values.clients) } : {}),
  ...(values.senders ? { senders: Number(values.senders) } : {}),
  ...(values.rate ? { rate: Number(values.rate) } : {}),
  ...(values.seconds ? { seconds: Number(values.seconds) } : {}),
  ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
  ...(values.targets ? { targets: values.targets.split(',') } : {}),
  ...(values.profile ? { profileDir: values.profile } : {}),
};

let broken = false;
for (const name of names) {
  console.log(`\n=== ${name}`);
  const report = await scenarios[name]!(opts);
  for (const row of report.json) console.log(JSON.stringify({ scenario: name, ...row }));
  console.table(report.table);
  if (report.broken.length) {
    console.error(`${name}: lost or duplicated deliveries: ${report.broken.join(', ')}`);
    broken = true;
  }
}
process.exit(broken ? 1 : 0);
