#!/usr/bin/env node
/**
 * npm test: typechecks, then runs every test file once per backend.
 *  - embedded: SQLite + in-process live state (always).
 *  - mysql-redis: when TEST_DATABASE_URL and TEST_REDIS_URL are set (CI sets both; there a
 *    missing server is a failure, never a skip).
 *  - mysql-redis-cluster: the same MySQL, and a real 3-master Redis Cluster this script starts
 *    from redis-server on free loopback ports (needs redis-server and redis-cli on PATH).
 * Browser journeys need Chromium (/usr/bin/chromium or CHROMIUM_PATH).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const notes = [];

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? files(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const typecheck = spawnSync('npx', ['--no-install', 'tsc', '--noEmit', '-p', '.'], { stdio: 'inherit' });
const typecheckJs = spawnSync('npx', ['--no-install', 'tsc', '-p', 'public/tsconfig.json'], { stdio: 'inherit' });
if (typecheck.status !== 0 || typecheckJs.status !== 0) {
  console.error('typecheck failed');
  process.exit(1);
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const backends = ['embedded'];
if (process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL) backends.push('mysql-redis');
else if (ci) {
  console.error('CI: TEST_DATABASE_URL and TEST_REDIS_URL must be set (MariaDB + Redis suites may not be skipped)');
  process.exit(1);
} else {
  notes.push('SKIPPED the MariaDB + Redis run: set TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/test and TEST_REDIS_URL=redis://127.0.0.1:6379 to enable it.');
}

if (backends.includes('mysql-redis')) {
  if (onPath('redis-server') && onPath('redis-cli')) backends.push('mysql-redis-cluster');
  else if (ci) {
    console.error('CI: redis-server and redis-cli are needed to start the Redis Cluster (apt-get install redis-server)');
    process.exit(1);
  } else notes.push('SKIPPED the Redis Cluster run: redis-server and redis-cli must be on PATH.');
}

let testFiles = files('test');
if (process.argv.length > 2) testFiles = testFiles.filter((f) => process.argv.slice(2).some((a) => f.includes(a)));
if (!fs.existsSync(chromium)) {
  if (ci) {
    console.error(`CI: Chromium not found at ${chromium} (apt-get install chromium)`);
    process.exit(1);
  }
  notes.push(`SKIPPED browser journeys: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH).`);
  testFiles = testFiles.filter((f) => !f.includes(`${path.sep}browser${path.sep}`));
}

if (!onPath('nginx')) {
  if (ci) {
    console.error('CI: nginx not found (apt-get install nginx-light)');
    process.exit(1);
  }
  notes.push('SKIPPED the nginx proxy test: no nginx on PATH (apt-get install nginx-light).');
  testFiles = testFiles.filter((f) => !f.endsWith(`nginx.test.ts`));
}

/** The cluster run gets a cluster of its own, stopped when the run ends. */
async function clusterFor(backend) {
  if (backend !== 'mysql-redis-cluster') return { env: {}, stop: async () => {} };
  const { tsImport } = await import('tsx/esm/api');
  const { OwnRedisCluster } = await tsImport('../test/support/redis-cluster.ts', import.meta.url);
  const cluster = await OwnRedisCluster.start();
  console.log(`Redis Cluster: 3 masters at ${cluster.url}`);
  return { env: { TEST_REDIS_CLUSTER_URL: cluster.url }, stop: () => cluster.stop() };
}

const totals = { pass: 0, fail: 0, skipped: 0 };
for (const backend of backends) {
  console.log(`\n=== test run: ${backend} ===`);
  const cluster = await clusterFor(backend);
  // A file's time limit: an a11y file walks every page of the showcase (about 50 now) with axe
  // in one browser, about a minute and a half on a quiet 2-core host; 240 s leaves room for a
  // busy one while a hung file still fails the run in minutes.
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=240000', ...testFiles],
    {
      env: { ...process.env, ...cluster.env, HIHI_TEST_BACKEND: backend, CHROMIUM_PATH: chromium },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  await cluster.stop();
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  const count = (key) => Number(run.stdout.match(new RegExp(`ℹ ${key} (\\d+)`))?.[1] ?? 0);
  // Tests cancelled by a failing hook are failures too; so is a run that failed without counting any.
  const failed = count('fail') + count('cancelled');
  totals.pass += count('pass');
  totals.skipped += count('skipped');
  totals.fail += failed > 0 || run.status === 0 ? failed : 1;
}

console.log('');
for (const n of notes) console.log(n);
console.log(`${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(totals.fail > 0 ? 1 : 0);
