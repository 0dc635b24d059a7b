/** A MariaDB server of the test's own (temp data dir, free port) that the test may kill and restart. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort, stopChild } from './process.js';

export class OwnMariaDb {
  private child: ChildProcess | undefined;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-mariadb-'));
  /**
   * Its own temporary directory: a starting mariadbd deletes every `#sql*` file in its tmpdir,
   * which in the shared /tmp were the live temporary tables of the machine's MariaDB.
   */
  private readonly tmpdir = path.join(this.dir, 'tmp');
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnMariaDb> {
    const m = new OwnMariaDb(await freePort());
    fs.mkdirSync(m.tmpdir);
    const init = spawnSync(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${m.dir}/data`, `--tmpdir=${m.tmpdir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
      { encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr}`);
    await m.up();
    const c = await createConnection({ host: '127.0.0.1', port: m.port, user: 'root' });
    await c.query('CREATE DATABASE hihi CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
    await c.end();
    return m;
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/hihi`;
  }

  async up(): Promise<void> {
    this.child = spawn(
      '/usr/sbin/mariadbd',
      ['--no-defaults', `--datadir=${this.dir}/data`, `--tmpdir=${this.tmpdir}`, '--user=root', `--port=${this.port}`, '--bind-address=127.0.0.1', `--socket=${this.dir}/sock`, '--skip-log-bin', '--innodb-buffer-pool-size=16M'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 200; i++) {
      try {
        const c = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
        await c.end();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error('mariadbd did not start');
  }

  async down(): Promise<void> {
    await stopChild(this.child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    await this.down();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
