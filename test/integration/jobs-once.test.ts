import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStorage, type Storage } from '../support/app.js';
import { needsShared } from '../support/backends.js';
import { replicaEnv, startServerProcess, type ServerProcess } from '../support/process.js';

// Three app processes schedule the prune job every second; each tick must run exactly once.
describe('scheduled jobs across three replicas', { skip: needsShared }, () => {
  let storage: Storage;
  let replicas: ServerProcess[] = [];
  before(async () => {
    storage = await createStorage();
    const env = replicaEnv(storage, { PRUNE_CRON: '* * * * * *', LOG_LEVEL: 'info' });
    replicas = await Promise.all([startServerProcess(env), startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await storage?.cleanup();
  });

  test('every tick of the schedule runs once, on one of the replicas', async () => {
    await new Promise((r) => setTimeout(r, 5500));
    const runs = replicas.flatMap((r, i) =>
      r
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"pruned old messages"'))
        .map((l) => ({ replica: i, tick: (JSON.parse(l) as { tick: number }).tick })),
    );
    const ticks = runs.map((r) => r.tick);
    assert.ok(runs.length >= 4, `ran on ${runs.length} ticks in 5.5 s`);
    assert.equal(new Set(ticks).size, ticks.length, `no tick ran twice: ${JSON.stringify(runs)}`);
    assert.ok(Math.max(...ticks) - Math.min(...ticks) <= 6000);
  });
});
