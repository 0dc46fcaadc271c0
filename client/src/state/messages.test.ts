import { describe, expect, it } from 'vitest';
import { msg } from './fixtures';
import { applyChange, groupMessages, laterCopy, laterMessage, mergeMessages, quoteOf, reactedBy, withReaction } from './messages';

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

describe('changes to a message already shown', () => {
  const thumbs = { emoji: '👍', count: 2, mine: true };

  it('replaces an edited message, keeping the reactions an edit event does not carry', () => {
    const list = [{ ...msg('a', 1, '1', '0', 'old'), reactions: [thumbs] }, msg('b', 2)];
    const edited = { ...msg('a', 1, '1', '0', 'new'), edited: 10 };
    const next = applyChange(list, edited, true);
    expect(next[0]).toMatchObject({ message: 'new', edited: 10, reactions: [thumbs] });
    expect(next[1]).toBe(list[1]);
    expect(applyChange(list, edited, false)[0]?.reactions).toBeUndefined();
  });

  it('turns a deleted message into its tombstone and updates the quotes of its replies', () => {
    const parent = { ...msg('p', 1, '2', '0', 'parent text'), reactions: [thumbs] };
    const reply = { ...msg('r', 2, '1', '0', 'answer'), replyTo: quoteOf(parent) };
    const tombstone = { id: 'p', from: '2', date: 1, message: '', roomId: '0', deleted: true };
    const next = applyChange([parent, reply], tombstone, true);
    expect(next[0]).toEqual(tombstone);
    expect(next[1]?.replyTo).toEqual({ id: 'p', deleted: true });
  });

  it('quotes the new text of an edited parent in its loaded replies', () => {
    const reply = { ...msg('r', 2, '1', '0', 'answer'), replyTo: { id: 'p', from: '2', message: 'before' } };
    const next = applyChange([reply], { ...msg('p', 1, '2', '0', 'after'), edited: 5 }, true);
    expect(next[0]?.replyTo).toEqual({ id: 'p', from: '2', message: 'after' });
  });

  it('returns the same list when nothing it holds changes', () => {
    const list = [msg('a', 1)];
    expect(applyChange(list, { ...msg('z', 9), edited: 10 }, true)).toBe(list);
  });

  it('quotes the first 100 characters of a long parent, then an ellipsis', () => {
    const long = '😀'.repeat(101);
    expect(quoteOf(msg('p', 1, '2', '0', long)).message).toBe(`${'😀'.repeat(100)}…`);
    expect(quoteOf(msg('p', 1, '2', '0', 'short'))).toEqual({ id: 'p', from: '2', message: 'short' });
  });

  it('never lets an older copy undo an edit or a deletion', () => {
    const edited = { ...msg('a', 1, '1', '0', 'new'), edited: 10 };
    const stale = { ...msg('a', 1, '1', '0', 'old'), reactions: [thumbs] };
    expect(laterCopy(edited, stale)).toMatchObject({ message: 'new', edited: 10, reactions: [thumbs] });
    const tombstone = { ...msg('a', 1, '1', '0', ''), deleted: true };
    expect(laterCopy(tombstone, stale)).toBe(tombstone);
    expect(laterCopy(edited, tombstone)).toBe(tombstone);
    expect(mergeMessages([tombstone], [stale])[0]).toBe(tombstone);
  });

  it('takes a copy whose reactions changed (a page fetched after a reaction)', () => {
    const list = [msg('a', 1)];
    const merged = mergeMessages(list, [{ ...msg('a', 1), reactions: [thumbs] }]);
    expect(merged).not.toBe(list);
    expect(merged[0]?.reactions).toEqual([thumbs]);
  });

  it('applies a reaction count: new emoji last, count 0 removes it, mine only when given', () => {
    const list = [thumbs];
    expect(withReaction(list, '🎉', 1, false)).toEqual([thumbs, { emoji: '🎉', count: 1, mine: false }]);
    expect(withReaction(list, '👍', 3, undefined)).toEqual([{ emoji: '👍', count: 3, mine: true }]);
    expect(withReaction(list, '👍', 1, false)).toEqual([{ emoji: '👍', count: 1, mine: false }]);
    expect(withReaction(list, '👍', 0, false)).toEqual([]);
    expect(withReaction(list, '😮', 0, undefined)).toBe(list);
  });

  it('names the first few who reacted, as the server does', () => {
    let list = withReaction([], '👍', 1, false, { userId: '1', added: true });
    for (const [id, count] of [['2', 2], ['3', 3], ['4', 4]] as const) list = withReaction(list, '👍', count, undefined, { userId: id, added: true });
    expect(list).toEqual([{ emoji: '👍', count: 4, mine: false, users: ['1', '2', '3'] }]);
    list = withReaction(list, '👍', 3, undefined, { userId: '2', added: false });
    expect(list[0]?.users).toEqual(['1', '3']);
    const names: Record<string, string> = { '1': 'Joe', '3': 'Mary' };
    expect(reactedBy(list[0]!, (id) => names[id] ?? '?')).toBe('Joe, Mary and 1 other');
    expect(reactedBy({ emoji: '👍', count: 2, mine: false, users: ['1', '3'] }, (id) => names[id] ?? '?')).toBe('Joe and Mary');
    expect(reactedBy({ emoji: '👍', count: 5, mine: false }, () => '?')).toBe('');
  });
});
