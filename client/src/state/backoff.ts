// Reconnect delays: exponential from BASE_MS, capped at CAP_MS, with "equal jitter" (half
// fixed, half random) so that many clients dropped by one restart do not return in step.

export const BASE_MS = 500;
export const CAP_MS = 10_000;

/** Delay before reconnect attempt `attempt` (0 for the first); `random` in [0, 1). */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const exp = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, Math.min(attempt, 20)));
  return Math.round(exp / 2 + (exp / 2) * random);
}

/** Calls `fn` at most once every `intervalMs` (used for `typing` frames). */
export function makeThrottle(intervalMs: number, now: () => number = Date.now) {
  let last = -Infinity;
  return (fn: () => void): boolean => {
    const t = now();
    if (t - last < intervalMs) return false;
    last = t;
    fn();
    return true;
  };
}
