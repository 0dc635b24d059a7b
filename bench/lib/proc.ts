import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** Resident memory of a process in MiB. */
export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

export interface Child {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns a node process (with tsx) and waits until `ready` answers; SIGTERM stops it (and writes its profile). */
export async function spawnNode(script: string, env: Record<string, string>, ready: () => Promise<boolean>, profileDir?: string, cwd?: string): Promise<Child> {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 30_000;
  while (!(await ready().catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`${script} exited`);
    if (Date.now() > deadline) throw new Error(`${script} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A full garbage collection in a running node process, through the inspector it opens on
 * SIGUSR1 (127.0.0.1:9229). For memory figures that count what a process keeps, not garbage
 * V8 has not got round to collecting yet (its memory reducer waits for idleness first).
 * Returns the JS heap's used bytes after it (what is live, whatever RSS V8 keeps besides).
 */
export async function collectGarbage(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + 10_000;
  let url: string | undefined;
  while (url === undefined) {
    const list = (await fetch('http://127.0.0.1:9229/json/list')
      .then((r) => r.json())
      .catch(() => [])) as Array<{ webSocketDebuggerUrl: string }>;
    url = list[0]?.webSocketDebuggerUrl;
    if (url === undefined) {
      if (Date.now() > deadline) throw new Error(`process ${pid} opened no inspector`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 0;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++nextId;
      const onMessage = (data: Buffer) => {
        const reply = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown> };
        if (reply.id !== id) return;
        ws.off('message', onMessage);
        resolve(reply.result ?? {});
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method }));
    });
  // Twice: objects freed by the first collection's finalizers go in the second.
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  const { usedSize } = (await call('Runtime.getHeapUsage')) as { usedSize: number };
  ws.close();
  return usedSize;
}

/**
 * Pins every thread of each process to `cpus` (a taskset list such as "0"), so the servers
 * and the load generator do not take each other's core; returns what undoes it. A no-op on a
 * machine with fewer than two cores or without `taskset` (util-linux).
 */
export function pin(pids: number[], cpus: string): () => void {
  const undo: Array<() => void> = [];
  for (const pid of pids) {
    let before: string;
    try {
      // Redis's pid comes from its INFO: in a container (CI's service) it names another
      // process here, which must not be pinned.
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm !== 'node' && !comm.startsWith('redis')) continue;
      before = execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' }).split(':').pop()!.trim();
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    } catch {
      continue; // gone, or not ours to pin: measured unpinned
    }
    undo.push(() => {
      try {
        execFileSync('taskset', ['-a', '-p', '-c', before, String(pid)], { stdio: 'ignore' });
      } catch {
        // the process ended meanwhile
      }
    });
  }
  return () => undo.forEach((u) => u());
}
