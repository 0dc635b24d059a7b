/**
 * No Docker engine runs here, so the stack is checked as files: the compose file parses, its
 * services, health checks, volumes and referenced files are right, every variable it passes
 * to hihi is one hihi knows, and every secret it needs is in .env.example.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { envSchema } from '../../fastify.config.js';
import { ROOT } from '../../src/paths.js';
import { backend } from '../support/backends.js';

const dockerDir = path.join(ROOT, 'docker');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

describe('deployment files', { skip: backend !== 'embedded' && 'checked once, in the embedded run' }, () => {
  const compose = YAML.parse(read('docker/compose.yml'), { merge: true });

  test('compose: MySQL 8, Redis 7 with AOF, two hihi replicas and nginx, started in order', () => {
    const s = compose.services;
    assert.deepEqual(Object.keys(s).sort(), ['hihi1', 'hihi2', 'mysql', 'nginx', 'redis']);
    assert.match(s.mysql.image, /^mysql:8/);
    assert.ok(s.mysql.command.includes('--character-set-server=utf8mb4'));
    assert.match(s.redis.image, /^redis:7/);
    assert.ok(s.redis.command.includes('--appendonly') && s.redis.command.includes('yes'));
    for (const name of ['mysql', 'redis']) assert.ok(s[name].healthcheck?.test, `${name} has a health check`);
    for (const name of ['hihi1', 'hihi2']) {
      assert.equal(s[name].build.dockerfile, 'docker/Dockerfile');
      assert.deepEqual(s[name].depends_on, { mysql: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
    assert.deepEqual(s.nginx.depends_on, { hihi1: { condition: 'service_healthy' }, hihi2: { condition: 'service_healthy' } });
  });

  test('compose: named volumes keep MySQL and Redis data; mounted files exist', () => {
    assert.deepEqual(Object.keys(compose.volumes).sort(), ['mysql-data', 'redis-data']);
    assert.ok(compose.services.mysql.volumes.includes('mysql-data:/var/lib/mysql'));
    assert.ok(compose.services.redis.volumes.includes('redis-data:/data'));
    for (const v of compose.services.nginx.volumes as string[]) {
      const source = v.split(':')[0]!;
      assert.ok(fs.existsSync(path.resolve(dockerDir, source)), `${source} exists`);
    }
    assert.ok(fs.existsSync(path.resolve(dockerDir, compose.services.hihi1.build.context, compose.services.hihi1.build.dockerfile)));
  });

  test('compose: every variable given to hihi is a real setting; every required secret is in .env.example', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of Object.keys(compose.services.hihi1.environment)) assert.ok(known.has(name), `${name} is declared in fastify.config.ts`);
    const example = new Set(read('.env.example').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]));
    const required = [...read('docker/compose.yml').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!);
    assert.ok(required.length >= 4);
    for (const name of required) assert.ok(example.has(name), `${name} is in .env.example`);
    assert.equal(fs.existsSync(path.join(ROOT, '.env')), false, 'no .env in the repository');
  });

  test('Dockerfile: multi-stage on the Node LTS image, production dependencies, non-root, health check on /readyz', () => {
    const file = read('docker/Dockerfile');
    assert.match(file, /ARG NODE_IMAGE=node:\d+-/);
    assert.equal((file.match(/^FROM /gm) ?? []).length, 2);
    assert.match(file, /npm prune --omit=dev/);
    assert.match(file, /^USER node$/m);
    assert.match(file, /^HEALTHCHECK .*\n.*\/readyz/m);
    for (const m of file.matchAll(/^COPY (?!--from)(.+) \.\/?\S*$/gm)) {
      for (const src of m[1]!.split(' ')) assert.ok(fs.existsSync(path.join(ROOT, src)), `${src} exists`);
    }
  });
});
