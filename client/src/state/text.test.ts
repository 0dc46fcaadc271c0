import { describe, expect, it } from 'vitest';
import { isBlank } from './text';

describe('isBlank', () => {
  it('agrees with the server on what is only white space', () => {
    expect(isBlank('')).toBe(true);
    expect(isBlank(' \t\n\u3000\u0085')).toBe(true);
    expect(isBlank(' a ')).toBe(false);
    // Not white space to the server (it is text there), though JavaScript's trim() drops it.
    expect(isBlank('\uFEFF')).toBe(false);
  });
});
