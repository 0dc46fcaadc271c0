import { describe, expect, it } from 'vitest';
import { user } from './fixtures';
import { insertMention, mentionAt, mentionCandidates, splitMentions } from './mentions';

describe('the @name being typed', () => {
  it('is found right before the caret, at least one letter after the @', () => {
    expect(mentionAt('hi @Jo', 6)).toEqual({ start: 3, query: 'Jo' });
    expect(mentionAt('@m', 2)).toEqual({ start: 0, query: 'm' });
    expect(mentionAt('hi @', 4)).toBeNull();
    expect(mentionAt('hi @Jo there', 12)).toBeNull();
  });

  it('follows the caret, not the end of the text', () => {
    expect(mentionAt('@Jo and more', 3)).toEqual({ start: 0, query: 'Jo' });
  });

  it('is not part of an e-mail address', () => {
    expect(mentionAt('mail joe@exa', 12)).toBeNull();
  });

  it('completes names by prefix, any case, exact case first, never names @ cannot reach', () => {
    const people = [user('2', 'Joe'), user('3', 'joanna'), user('4', 'Mary'), user('5', 'Jo Smith')];
    expect(mentionCandidates(people, 'jo').map((u) => u.username)).toEqual(['joanna', 'Joe']);
    expect(mentionCandidates(people, 'Jo').map((u) => u.username)).toEqual(['Joe', 'joanna']);
    expect(mentionCandidates(people, 'x')).toEqual([]);
  });

  it('inserts @username and a space, replacing what was typed, caret after it', () => {
    expect(insertMention('hi @Jo', { start: 3, query: 'Jo' }, 6, 'Joe')).toEqual({ text: 'hi @Joe ', caret: 8 });
    expect(insertMention('@Jo and more', { start: 0, query: 'Jo' }, 3, 'Joe')).toEqual({ text: '@Joe and more', caret: 5 });
  });
});

describe('mentions in a message text', () => {
  const names = new Map<string, 'me' | 'other'>([
    ['Joe', 'other'],
    ['Pablo', 'me'],
  ]);

  it('marks the names the server recognised, the reader apart', () => {
    expect(splitMentions('hi @Joe and @Pablo!', names)).toEqual([
      { text: 'hi ' },
      { text: '@Joe', mention: 'other' },
      { text: ' and ' },
      { text: '@Pablo', mention: 'me' },
      { text: '!' },
    ]);
  });

  it('leaves unknown names, e-mail addresses and other cases as text', () => {
    expect(splitMentions('@Mary joe@Joe @joe', names)).toEqual([{ text: '@Mary joe@Joe @joe' }]);
  });

  it('reads a name that ends a sentence without its dot', () => {
    expect(splitMentions('thanks @Joe.', names)).toEqual([{ text: 'thanks ' }, { text: '@Joe', mention: 'other' }, { text: '.' }]);
  });

  it('keeps markup as plain text', () => {
    const runs = splitMentions('<b>@Joe</b>', names);
    expect(runs.map((r) => r.text).join('')).toBe('<b>@Joe</b>');
    expect(runs[1]).toEqual({ text: '@Joe', mention: 'other' });
  });
});
