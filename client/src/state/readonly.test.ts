import { describe, expect, it } from 'vitest';
import { fromRefusal, inForce, MUTED_GUESS_MS, mutedReason, readOnlyNotice } from './readonly';

const NOW = 1_767_225_600_000;

describe('read-only', () => {
  it('takes the end from a `muted` refusal, or guesses a short one', () => {
    expect(fromRefusal('a moderator made you read-only in this room until 1767229200', NOW)).toEqual({ until: 1767229200, known: true });
    expect(fromRefusal('roomId: read-only until 1767229200.5 ', NOW)).toEqual({ until: 1767229200.5, known: true });
    expect(fromRefusal('a moderator made you read-only in this room', NOW)).toEqual({ until: (NOW + MUTED_GUESS_MS) / 1000, known: false });
    // An end already past says nothing useful.
    expect(fromRefusal('read-only until 5', NOW)).toMatchObject({ known: false });
  });

  it('is in force until its end', () => {
    expect(inForce({ until: NOW / 1000 + 1, known: true }, NOW)).toBe(true);
    expect(inForce({ until: NOW / 1000, known: true }, NOW)).toBe(false);
    expect(inForce(undefined, NOW)).toBe(false);
  });

  it('tells the user until when', () => {
    const until = NOW / 1000 + 600;
    const time = new Date(until * 1000).toLocaleString();
    expect(readOnlyNotice({ until, known: true })).toBe(`A moderator made you read-only here until ${time}.`);
    expect(readOnlyNotice({ until, known: false })).toBe('A moderator made you read-only here for a while.');
    expect(mutedReason({ until, known: true })).toBe(`a moderator made you read-only here until ${time}.`);
    expect(mutedReason({ until, known: false })).toBe('a moderator made you read-only here.');
  });
});
