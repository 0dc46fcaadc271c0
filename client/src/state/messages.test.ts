import { describe, expect, it } from 'vitest';
import { msg } from './fixtures';
import { groupMessages, laterMessage, mergeMessages } from './messages';

describe('mergeMessages', () => {
  it('keeps one copy of a message seen live and in a fetched page', () => {
    const live = [msg('b', 2), msg('c', 3)];
    const page = [msg('a', 1), msg('b', 2), msg('c', 3)];
    expect(mergeMessages(live, page).map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('sorts by date whatever order pages and events arrive in', () => {
    const merged = mergeMessages([msg('d', 4), msg('b', 2)], [msg('c', 3), msg('a', 1), msg('e', 5)]);
    expect(merged.map((m) => m.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('orders messages with the same date by id, so the order is stable', () => {
    const merged = mergeMessages([msg('y', 7)], [msg('x', 7)]);
    expect(merged.map((m) => m.id)).toEqual(['x', 'y']);
    expect(mergeMessages([msg('x', 7)], [msg('y', 7)]).map((m) => m.id)).toEqual(['x', 'y']);
  });

  it('keeps millisecond fractions apart', () => {
    const merged = mergeMessages([msg('late', 100.002)], [msg('early', 100.001)]);
    expect(merged.map((m) => m.id)).toEqual(['early', 'late']);
  });

  it('returns the same array when nothing is new (no re-render)', () => {
    const list = [msg('a', 1), msg('b', 2)];
    expect(mergeMessages(list, [msg('a', 1)])).toBe(list);
    expect(mergeMessages(list, [])).toBe(list);
  });

  it('lets a later copy of a message replace an earlier one', () => {
    const merged = mergeMessages([msg('a', 1, '1', '0', 'old')], [msg('a', 1, '1', '0', 'new')]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.message).toBe('new');
  });

  it('picks the later of two messages', () => {
    expect(laterMessage(msg('a', 1), msg('b', 2))?.id).toBe('b');
    expect(laterMessage(undefined, msg('b', 2))?.id).toBe('b');
    expect(laterMessage(msg('a', 3), undefined)?.id).toBe('a');
  });
});

describe('groupMessages', () => {
  it('groups consecutive messages of one sender', () => {
    const groups = groupMessages([msg('a', 1, '1'), msg('b', 2, '1'), msg('c', 3, '2'), msg('d', 4, '1')]);
    expect(groups.map((g) => [g.from, g.messages.map((m) => m.id)])).toEqual([
      ['1', ['a', 'b']],
      ['2', ['c']],
      ['1', ['d']],
    ]);
  });

  it('starts a new group after a long pause', () => {
    const groups = groupMessages([msg('a', 0, '1'), msg('b', 60, '1'), msg('c', 60 + 301, '1')]);
    expect(groups.map((g) => g.messages.length)).toEqual([2, 1]);
  });
});
