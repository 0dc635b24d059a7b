/**
 * Runs docker/nginx/hihi.conf in a real nginx (Debian package) on loopback, in front of hihi
 * processes. Only the addresses change: upstream servers, the listen port and the static root;
 * a test-only header names the replica that answered.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../src/paths.js';
import { freePort } from './process.js';

export interface RunningNginx {
  url: string;
  stop: () => Promise<void>;
}

export async function startNginx(upstreams: [string, string]): Promise<RunningNginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hihi-nginx-'));
  const port = await freePort();
  const site = fs
    .readFileSync(path.join(ROOT, 'docker/nginx/hihi.conf'), 'utf8')
    .replace('server hihi1:3000', `server ${upstreams[0]}`)
    .replace('server hihi2:3000', `server ${upstreams[1]}`)
    .replace('alias /srv/hihi/public/;', `alias ${path.join(ROOT, 'public')}/;`)
    .replace('listen 80;', `listen 127.0.0.1:${port};\n    add_header X-Test-Upstream $upstream_addr always;`);
  fs.writeFileSync(path.join(dir, 'hihi.conf'), site);
  const temp = (name: string) => `${name}_temp_path ${dir}/${name};`;
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}
  include ${dir}/hihi.conf;
}
`,
  );
  const check = spawnSync('nginx', ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/healthz`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGQUIT');
        });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
