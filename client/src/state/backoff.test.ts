import { describe, expect, it } from 'vitest';
import { backoffDelay, CAP_MS, makeThrottle } from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially from the first attempt', () => {
    expect(backoffDelay(0, 1)).toBe(500);
    expect(backoffDelay(1, 1)).toBe(1000);
    expect(backoffDelay(2, 1)).toBe(2000);
    expect(backoffDelay(3, 1)).toBe(4000);
  });

  it('is capped at about ten seconds', () => {
    for (let n = 0; n < 60; n++) expect(backoffDelay(n, 0.999)).toBeLessThanOrEqual(CAP_MS);
    expect(backoffDelay(50, 1)).toBe(CAP_MS);
  });

  it('jitters between half and all of the step', () => {
    expect(backoffDelay(4, 0)).toBe(4000);
    expect(backoffDelay(4, 0.5)).toBe(6000);
    const seen = new Set(Array.from({ length: 20 }, (_, i) => backoffDelay(5, i / 20)));
    expect(seen.size).toBeGreaterThan(10);
  });
});

describe('makeThrottle', () => {
  it('lets one call through per interval', () => {
    let t = 0;
    const throttle = makeThrottle(2000, () => t);
    let calls = 0;
    const hit = () => calls++;
    throttle(hit);
    t = 500;
    throttle(hit);
    t = 1999;
    throttle(hit);
    t = 2000;
    throttle(hit);
    expect(calls).toBe(2);
  });
});
