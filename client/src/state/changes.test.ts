// The reducer's side of issue 13: edits, deletions, reactions, replies, mentions, mute.

import { describe, expect, it } from 'vitest';
import type { Message, MessagePage } from '../api/types';
import {
  changesFor,
  chatReducer,
  initialState,
  mentionableUsers,
  overdueChanges,
  replyTarget,
  type Action,
  type ChatState,
} from './chat';
import { msg, summary, user } from './fixtures';

const ME = user('1', 'Pablo');
const JOE = user('2', 'Joe');
const MARY = user('3', 'Mary');

function run(actions: Action[], start: ChatState = initialState()): ChatState {
  return actions.reduce(chatReducer, start);
}

/** Pablo in General, his direct room with Joe and a named room; General's history loaded. */
function signedIn(history: Message[], ...actions: Action[]): ChatState {
  const page: MessagePage = { messages: history };
  return run([
    { type: 'session', user: ME },
    { type: 'roomsListed', rooms: [summary('0', 'General'), summary('1:2', 'Joe', { peer: JOE }), summary('7', 'Rustaceans')] },
    { type: 'pageLoaded', roomId: '0', kind: 'latest', page },
    ...actions,
  ]);
}

const general = (s: ChatState) => s.rooms['0']!;
const byId = (s: ChatState, id: string, room = '0') => s.rooms[room]?.messages.find((m) => m.id === id);

describe('edits and deletions from others', () => {
  const thumbs = { emoji: '👍', count: 1, mine: false };

  it('shows the new text of an edited message and keeps its reactions', () => {
    const s = signedIn([{ ...msg('a', 1, '2', '0', 'old'), reactions: [thumbs] }], {
      type: 'messageChanged',
      message: { ...msg('a', 1, '2', '0', 'new'), edited: 5 },
      keepReactions: true,
    });
    expect(byId(s, 'a')).toMatchObject({ message: 'new', edited: 5, reactions: [thumbs] });
  });

  it('replaces a deleted message by its tombstone, in the list and as the room preview', () => {
    const tombstone: Message = { id: 'a', from: '2', date: 1, message: '', roomId: '0', deleted: true };
    const s = signedIn([{ ...msg('a', 1, '2', '0', 'secret'), reactions: [thumbs] }], { type: 'messageChanged', message: tombstone });
    expect(byId(s, 'a')).toEqual(tombstone);
    expect(general(s).lastMessage).toEqual(tombstone);
  });

  it('keeps the mark of a message a moderator removed, over an earlier plain copy', () => {
    const moderated: Message = { id: 'a', from: '2', date: 1, message: '', roomId: '0', deleted: true, moderated: true };
    const s = signedIn([msg('a', 1, '2', '0', 'spam')], { type: 'messageChanged', message: moderated });
    expect(byId(s, 'a')).toEqual(moderated);
    // A page fetched before the deletion does not bring the text back.
    const again = chatReducer(s, { type: 'pageLoaded', roomId: '0', kind: 'after', page: { messages: [msg('a', 1, '2', '0', 'spam')] } });
    expect(byId(again, 'a')).toEqual(moderated);
  });

  it('updates the quotes of loaded replies when their parent changes', () => {
    const parent = msg('p', 1, '2', '0', 'parent');
    const reply: Message = { ...msg('r', 2, '1', '0', 'answer'), replyTo: { id: 'p', from: '2', message: 'parent' } };
    let s = signedIn([parent, reply], { type: 'messageChanged', message: { ...parent, message: 'parent, edited', edited: 3 }, keepReactions: true });
    expect(byId(s, 'r')?.replyTo).toEqual({ id: 'p', from: '2', message: 'parent, edited' });
    s = chatReducer(s, { type: 'messageChanged', message: { ...parent, message: '', deleted: true } });
    expect(byId(s, 'r')?.replyTo).toEqual({ id: 'p', deleted: true });
  });

  it('updates a reply whose parent is not loaded', () => {
    const reply: Message = { ...msg('r', 2, '1', '0', 'answer'), replyTo: { id: 'gone', from: '2', message: 'x' } };
    const s = signedIn([reply], { type: 'messageChanged', message: { id: 'gone', from: '2', date: 0.5, message: '', roomId: '0', deleted: true } });
    expect(byId(s, 'r')?.replyTo).toEqual({ id: 'gone', deleted: true });
    expect(byId(s, 'gone')).toBeUndefined();
  });
});

describe('reactions', () => {
  let version = 0;
  const react = (userId: string, emoji: string, count: number, added: boolean, v = ++version): Action => ({
    type: 'reactionChanged',
    roomId: '0',
    messageId: 'a',
    emoji,
    count,
    userId,
    added,
    version: v,
  });

  it('drops an event older than one already applied (late from another instance)', () => {
    let s = signedIn([msg('a', 1, '2')], react('2', '👍', 1, true, 1), react('3', '👍', 2, true, 2));
    s = chatReducer(s, react('2', '👍', 1, true, 1));
    expect(byId(s, 'a')?.reactions).toEqual([{ emoji: '👍', count: 2, mine: false, users: ['2', '3'] }]);
  });

  it('takes the count from the event, marks mine only for my own reactions and names who reacted', () => {
    let s = signedIn([msg('a', 1, '2')], react('2', '👍', 1, true));
    expect(byId(s, 'a')?.reactions).toEqual([{ emoji: '👍', count: 1, mine: false, users: ['2'] }]);
    s = chatReducer(s, react('1', '👍', 2, true));
    expect(byId(s, 'a')?.reactions).toEqual([{ emoji: '👍', count: 2, mine: true, users: ['2', '1'] }]);
    s = chatReducer(s, react('2', '👍', 1, false));
    expect(byId(s, 'a')?.reactions).toEqual([{ emoji: '👍', count: 1, mine: true, users: ['1'] }]);
    s = chatReducer(s, react('1', '👍', 0, false));
    expect(byId(s, 'a')?.reactions).toBeUndefined();
  });

  it('keeps emoji in the order of first use', () => {
    const s = signedIn([msg('a', 1, '2')], react('2', '🎉', 1, true), react('3', '👍', 1, true), react('3', '🎉', 2, true));
    expect(byId(s, 'a')?.reactions?.map((r) => `${r.emoji}${r.count}`)).toEqual(['🎉2', '👍1']);
  });

  it('ignores reactions to messages it has not loaded', () => {
    const before = signedIn([msg('b', 1, '2')]);
    expect(chatReducer(before, react('2', '👍', 1, true))).toBe(before);
  });
});

describe('changes of ours in flight', () => {
  const started: Action = { type: 'changeStarted', clientId: 'k1', roomId: '0', messageId: 'a', change: { kind: 'edit', text: 'new' }, at: 1000 };

  it('is pending until acknowledged, then shows the message as the server answered it', () => {
    let s = signedIn([msg('a', 1, '1', '0', 'old')], started);
    expect(changesFor(s, '0')).toMatchObject([{ clientId: 'k1', status: 'sending' }]);
    s = chatReducer(s, { type: 'changeDone', clientId: 'k1', message: { ...msg('a', 1, '1', '0', 'new'), edited: 2 } });
    expect(s.changes).toEqual([]);
    expect(byId(s, 'a')).toMatchObject({ message: 'new', edited: 2 });
  });

  it('takes the reactions of a react ack as they are, none included', () => {
    const s = signedIn(
      [{ ...msg('a', 1, '2'), reactions: [{ emoji: '👍', count: 1, mine: true }] }],
      { type: 'changeStarted', clientId: 'k2', roomId: '0', messageId: 'a', change: { kind: 'react', emoji: '👍', add: false }, at: 1 },
      { type: 'changeDone', clientId: 'k2', message: msg('a', 1, '2') },
    );
    expect(byId(s, 'a')?.reactions).toBeUndefined();
  });

  it('keeps a refusal with the server reason until dismissed, and retries with the same clientId', () => {
    let s = signedIn([msg('a', 1, '2')], started, { type: 'changeFailed', clientId: 'k1', error: 'only its author may change this message' });
    expect(s.changes[0]).toMatchObject({ status: 'failed', error: 'only its author may change this message' });
    s = chatReducer(s, { type: 'changeRetried', clientId: 'k1', at: 5000 });
    expect(s.changes[0]).toMatchObject({ clientId: 'k1', status: 'sending', attempts: 2, sentAt: 5000 });
    s = chatReducer(s, { type: 'changeFailed', clientId: 'k1', error: 'again' });
    s = chatReducer(s, { type: 'changeDismissed', clientId: 'k1' });
    expect(s.changes).toEqual([]);
  });

  it('finds changes without an ack after the timeout', () => {
    const s = signedIn([msg('a', 1)], started);
    expect(overdueChanges(s, 999)).toEqual([]);
    expect(overdueChanges(s, 1000).map((c) => c.clientId)).toEqual(['k1']);
  });
});

describe('replies', () => {
  it('remembers the reply target per room and sends the next message as a reply', () => {
    let s = signedIn([msg('a', 1, '2', '0', 'question')], { type: 'replyStarted', roomId: '0', messageId: 'a' });
    expect(replyTarget(s, '0')?.id).toBe('a');
    expect(replyTarget(s, '7')).toBeUndefined();
    s = chatReducer(s, { type: 'sendStarted', clientId: 'c1', roomId: '0', message: 'answer', at: 1, replyTo: 'a' });
    expect(s.pending[0]?.replyTo).toBe('a');
    expect(replyTarget(s, '0')).toBeUndefined();
  });

  it('cannot answer a deleted message, and forgets the target when it is deleted', () => {
    const tombstone: Message = { id: 'a', from: '2', date: 1, message: '', roomId: '0', deleted: true };
    const s = signedIn([msg('a', 1, '2')], { type: 'replyStarted', roomId: '0', messageId: 'a' }, { type: 'messageChanged', message: tombstone });
    expect(replyTarget(s, '0')).toBeUndefined();
    expect(chatReducer(s, { type: 'replyStarted', roomId: '0', messageId: 'a' })).toBe(s);
  });

  it('drops the target on cancel', () => {
    const s = signedIn([msg('a', 1, '2')], { type: 'replyStarted', roomId: '0', messageId: 'a' }, { type: 'replyCancelled', roomId: '0' });
    expect(s.replyTargets).toEqual({});
  });
});

describe('mentions and mute', () => {
  const mention = (id: string, date: number, roomId: string, mentions: string[]): Message => ({
    ...msg(id, date, '2', roomId, `hey @Pablo ${id}`),
    mentions,
  });

  it('starts from the listing: mention counts and muted rooms', () => {
    const s = signedIn([], {
      type: 'roomsListed',
      rooms: [summary('0', 'General', { unread: 3, mentions: 2 }), summary('7', 'Rustaceans', { muted: true })],
    });
    expect(general(s)).toMatchObject({ unread: 3, mentions: 2, muted: false });
    expect(s.rooms['7']).toMatchObject({ mentions: 0, muted: true });
  });

  it('counts a live mention of me in a room not on screen, not one of someone else', () => {
    const s = signedIn(
      [],
      { type: 'messageReceived', message: mention('a', 1, '7', ['1']), visible: false },
      { type: 'messageReceived', message: mention('b', 2, '7', ['3']), visible: false },
      { type: 'messageReceived', message: mention('a', 1, '7', ['1']), visible: false },
      { type: 'messageReceived', message: mention('c', 3, '0', ['1']), visible: true },
    );
    expect(s.rooms['7']).toMatchObject({ unread: 2, mentions: 1 });
    expect(general(s).mentions).toBe(0);
  });

  it('clears mentions when the room is read, here or in another tab', () => {
    const unreadMention: Action = { type: 'messageReceived', message: mention('a', 1, '7', ['1']), visible: false };
    expect(signedIn([], unreadMention, { type: 'readMarked', roomId: '7', date: 1 }).rooms['7']?.mentions).toBe(0);
    expect(signedIn([], unreadMention, { type: 'roomRead', roomId: '7', date: 1 }).rooms['7']?.mentions).toBe(0);
  });

  it('keeps the mentions newer than another tab read marker', () => {
    const s = signedIn(
      [],
      { type: 'pageLoaded', roomId: '7', kind: 'latest', page: { messages: [] } },
      { type: 'messageReceived', message: mention('a', 1, '7', ['1']), visible: false },
      { type: 'messageReceived', message: mention('b', 2, '7', ['1']), visible: false },
      { type: 'roomRead', roomId: '7', date: 1 },
    );
    expect(s.rooms['7']).toMatchObject({ unread: 1, mentions: 1 });
  });

  it('mutes and unmutes, and a muted room still counts unread', () => {
    let s = signedIn([], { type: 'roomMuted', roomId: '7', muted: true });
    expect(s.rooms['7']?.muted).toBe(true);
    s = chatReducer(s, { type: 'messageReceived', message: msg('x', 1, '2', '7'), visible: false });
    expect(s.rooms['7']?.unread).toBe(1);
    expect(chatReducer(s, { type: 'roomMuted', roomId: '7', muted: true })).toBe(s);
    expect(chatReducer(s, { type: 'roomMuted', roomId: '7', muted: false }).rooms['7']?.muted).toBe(false);
  });
});

describe('whom @ completes', () => {
  const s = signedIn(
    [msg('a', 1, '2')],
    { type: 'usersSeen', users: [JOE, MARY, user('4', 'Alex')] },
    { type: 'pageLoaded', roomId: '7', kind: 'latest', page: { messages: [msg('n1', 1, '3', '7'), msg('n2', 2, '1', '7')] } },
  );

  it('offers everyone known in General, never me', () => {
    expect(mentionableUsers(s, '0').map((u) => u.username)).toEqual(['Alex', 'Joe', 'Mary']);
  });

  it('offers the other user in a direct room', () => {
    expect(mentionableUsers(s, '1:2').map((u) => u.username)).toEqual(['Joe']);
  });

  it('offers the members seen in a named room', () => {
    expect(mentionableUsers(s, '7').map((u) => u.username)).toEqual(['Mary']);
    const typing = chatReducer(s, { type: 'typingStarted', roomId: '7', userId: '4', username: 'Alex', until: 1 });
    expect(mentionableUsers(typing, '7').map((u) => u.username)).toEqual(['Alex', 'Mary']);
  });
});
