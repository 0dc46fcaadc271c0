// Ends what global setup (and the tests) started, and removes the run's directory.

import { existsSync, rmSync } from 'node:fs';
import { readState, stopPid } from './servers';

export default async function globalTeardown(): Promise<void> {
  if (!process.env.E2E_STATE || !existsSync(process.env.E2E_STATE)) return;
  const s = readState();
  await Promise.all(Object.values(s.instances).map((i) => stopPid(i.pid)));
  await stopPid(s.redisPid);
  rmSync(s.dir, { recursive: true, force: true });
}
