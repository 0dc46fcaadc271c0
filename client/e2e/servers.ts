// The real thing for end-to-end tests: a private redis-server on a unix socket and two
// redis-chat instances sharing it (A and B). Global setup starts them, the tests may stop
// and start an instance again, global teardown ends them all. What is running is recorded
// in a JSON file named by E2E_STATE, so every process of the run sees the same pids.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT_DIR = path.join(CLIENT_DIR, 'test-output');

export type InstanceName = 'A' | 'B';

export interface Instance {
  name: InstanceName;
  port: number;
  pid: number;
  url: string;
  log: string;
}

export interface E2EState {
  dir: string;
  redisPid: number;
  redisSocket: string;
  bin: string;
  instances: Record<InstanceName, Instance>;
}

/** The server binary: REDIS_CHAT_BIN, else the debug build of this repository. */
export function serverBinary(): string {
  if (process.env.REDIS_CHAT_BIN) return path.resolve(process.env.REDIS_CHAT_BIN);
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.resolve(CLIENT_DIR, '../target');
  return path.join(target, 'debug', 'redis-chat');
}

export function statePath(): string {
  const p = process.env.E2E_STATE;
  if (!p) throw new Error('E2E_STATE is not set: run the tests through playwright (global setup)');
  return p;
}

export function readState(): E2EState {
  return JSON.parse(readFileSync(statePath(), 'utf8')) as E2EState;
}

function writeState(s: E2EState): void {
  writeFileSync(statePath(), JSON.stringify(s, null, 2));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts a detached process with its output in `log`; it outlives the process that started it. */
function launch(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, log: string): ChildProcess {
  const fd = openSync(log, 'a');
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd], detached: true });
  child.unref();
  return child;
}

export async function startRedis(dir: string): Promise<{ pid: number; socket: string }> {
  const socket = path.join(dir, 'redis.sock');
  const log = path.join(dir, 'redis.log');
  const child = launch(
    'redis-server',
    ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir],
    process.env,
    dir,
    log,
  );
  if (!child.pid) throw new Error('redis-server did not start (is it on PATH?)');
  for (let i = 0; i < 100; i++) {
    if (existsSync(socket)) return { pid: child.pid, socket };
    if (!alive(child.pid)) break;
    await sleep(100);
  }
  throw new Error(`redis-server did not open ${socket}:\n${tail(log)}`);
}

async function waitReady(inst: Instance, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive(inst.pid)) throw new Error(`instance ${inst.name} exited during start:\n${tail(inst.log)}`);
    try {
      const res = await fetch(`${inst.url}/readyz`);
      if (res.status === 200) return;
      last = `status ${res.status}: ${await res.text()}`;
    } catch (e) {
      last = String(e);
    }
    await sleep(200);
  }
  throw new Error(`instance ${inst.name} not ready after ${timeoutMs} ms (${last}):\n${tail(inst.log)}`);
}

/** Starts instance `name` of the server on `port` and waits for GET /readyz = 200. */
export async function startInstance(s: Pick<E2EState, 'dir' | 'redisSocket' | 'bin'>, name: InstanceName, port: number): Promise<Instance> {
  const log = path.join(OUTPUT_DIR, `server-${name}.log`);
  const cwd = path.join(s.dir, name);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: `redis+unix://${s.redisSocket}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    CLIENT_DIR: path.join(CLIENT_DIR, 'dist'),
    // Uploads kept on the filesystem: both instances share one directory, as they would a
    // volume (or an S3 bucket).
    DATA_DIR: path.join(s.dir, 'data'),
    DEMO_DATA: 'true',
    LOG_FORMAT: 'json',
    // The history test posts 60 messages at once through the API to fill a room, and the
    // specs together sign up more new users from 127.0.0.1 than the default 10 an hour;
    // every other limit stays at its default.
    MESSAGE_BURST: '100',
    REGISTRATIONS_PER_HOUR: '100',
  };
  mkdirSync(cwd, { recursive: true });
  const child = launch(s.bin, [], env, cwd, log);
  if (!child.pid) throw new Error(`could not start ${s.bin}`);
  const inst: Instance = { name, port, pid: child.pid, url: `http://127.0.0.1:${port}`, log };
  await waitReady(inst, 90_000);
  return inst;
}

/** Ends a process: SIGTERM (or SIGKILL right away), then SIGKILL if it lingers. */
export async function stopPid(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 8000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (alive(pid)) await sleep(50);
  }
}

/** Kills instance `name` (as a crash would: SIGKILL). */
export async function killInstance(name: InstanceName): Promise<void> {
  const s = readState();
  await stopPid(s.instances[name].pid, 'SIGKILL');
}

/** Starts instance `name` again on its port (after `killInstance`). */
export async function restartInstance(name: InstanceName): Promise<Instance> {
  const s = readState();
  const old = s.instances[name];
  if (alive(old.pid)) await stopPid(old.pid);
  let lastError: unknown;
  // The port may take a moment to be free again.
  for (let i = 0; i < 5; i++) {
    try {
      const inst = await startInstance(s, name, old.port);
      const now = readState();
      now.instances[name] = inst;
      writeState(now);
      return inst;
    } catch (e) {
      lastError = e;
      await sleep(1000);
    }
  }
  throw lastError;
}

export function makeRunDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'redis-chat-e2e-'));
}

export function saveState(s: E2EState): void {
  writeState(s);
}
