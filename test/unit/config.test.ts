import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../fastify.config.js';

test('no environment at all gives the embedded default', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.dataDir, 'data');
  assert.deepEqual(c.database, { kind: 'sqlite', file: 'data/hihi.sqlite' });
  assert.equal(c.redis, undefined);
  assert.equal(c.retentionMs, 7 * 86_400_000);
  assert.equal(c.admin.username, 'admin');
  assert.equal(c.admin.password, undefined);
  assert.equal(c.log.pretty, true);
});

test('production settings are read and typed', () => {
  const c = loadConfig({
    NODE_ENV: 'production',
    PORT: '8080',
    DATABASE_URL: 'mysql://hihi:pw@db:3306/hihi',
    REDIS_URL: 'redis://redis:6379/0',
    SESSION_SECRET: 's'.repeat(32),
    ENCRYPTION_KEY: 'e'.repeat(32),
    PUBLIC_URL: 'https://chat.example.org',
    RETENTION_DAYS: '0.5',
    PRUNE_CRON: '*/30 * * * * *',
    TRUST_PROXY: '1',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.database.kind, 'mysql');
  assert.deepEqual(c.redis?.nodes, ['redis://redis:6379/0']);
  assert.equal(c.redis?.cluster, undefined);
  assert.equal(c.publicUrl?.origin, 'https://chat.example.org');
  assert.equal(c.retentionMs, 43_200_000);
  assert.equal(c.trustProxy, 1);
  assert.equal(c.log.pretty, false);
});

test('bad values fail fast with one readable line per variable', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'postgres://x/y', PRUNE_CRON: 'every minute', RETENTION_DAYS: '-1' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      for (const name of ['PORT', 'DATABASE_URL', 'PRUNE_CRON', 'RETENTION_DAYS']) assert.match(err.message, new RegExp(`\\n  ${name}: `));
      assert.match(err.message, /must be a mysql:\/\/ URL/);
      return true;
    },
  );
});

test('production refuses to start without PUBLIC_URL, naming it', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32) }), /PUBLIC_URL: required when NODE_ENV=production/);
  assert.equal(loadConfig({ SESSION_SECRET: 's'.repeat(32) }).publicUrl, undefined, 'development may leave it unset');
});

test('production refuses to start without SESSION_SECRET, or with a short one', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /SESSION_SECRET: required/);
  assert.throws(() => loadConfig({ SESSION_SECRET: 'short' }), /SESSION_SECRET: must be at least 32/);
});

test('the first admin\'s username follows the username rules', () => {
  assert.equal(loadConfig({ ADMIN_USERNAME: ' boss ' }).admin.username, 'boss');
  for (const bad of ['admin\u3164', 'аdmin', 'a']) assert.throws(() => loadConfig({ ADMIN_USERNAME: bad }), /ADMIN_USERNAME: /, bad);
});

test('production refuses to start without ENCRYPTION_KEY, or with a short one', () => {
  const env = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), PUBLIC_URL: 'https://chat.example.org' };
  assert.throws(() => loadConfig(env), /ENCRYPTION_KEY: required when NODE_ENV=production/);
  assert.throws(() => loadConfig({ ENCRYPTION_KEY: 'short' }), /ENCRYPTION_KEY: must be at least 32/);
  assert.equal(loadConfig({}).encryptionKey, undefined, 'development generates one into DATA_DIR');
});
