// Starts redis-server and the two server instances (A, then B: demo data is created by the
// first), and tells the tests where they are through E2E_STATE.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  CLIENT_DIR,
  freePort,
  makeRunDir,
  OUTPUT_DIR,
  saveState,
  serverBinary,
  startInstance,
  startRedis,
  stopPid,
  type E2EState,
} from './servers';

export default async function globalSetup(): Promise<void> {
  const bin = serverBinary();
  if (!existsSync(bin)) {
    throw new Error(`server binary not found at ${bin}: build it (cargo build) or set REDIS_CHAT_BIN`);
  }
  if (!existsSync(path.join(CLIENT_DIR, 'dist', 'index.html'))) {
    throw new Error('client/dist is missing: run `npm run build` first (`npm run e2e` does)');
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const name of ['server-A.log', 'server-B.log']) rmSync(path.join(OUTPUT_DIR, name), { force: true });

  const dir = makeRunDir();
  process.env.E2E_STATE = path.join(dir, 'state.json');
  const redis = await startRedis(dir);
  const base = { dir, redisSocket: redis.socket, bin };
  try {
    const a = await startInstance(base, 'A', await freePort());
    const b = await startInstance(base, 'B', await freePort());
    const state: E2EState = { ...base, redisPid: redis.pid, instances: { A: a, B: b } };
    saveState(state);
    console.log(`e2e: redis ${redis.socket}; A ${a.url} (pid ${a.pid}); B ${b.url} (pid ${b.pid})`);
  } catch (e) {
    await stopPid(redis.pid);
    throw e;
  }
}
