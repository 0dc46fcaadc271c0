import { describe, expect, it } from 'vitest';
import type { MessagePage } from '../api/types';
import {
  catchUpPlan,
  chatReducer,
  initialState,
  missingUserIds,
  myRole,
  onlineUsers,
  openReports,
  overdue,
  readOnlyIn,
  readTarget,
  resendable,
  roomSections,
  typingLabel,
  typingNames,
  type Action,
  type ChatState,
} from './chat';
import { msg, summary, user } from './fixtures';
import type { ReportItem } from './reports';

const ME = user('1', 'Pablo');
const JOE = user('2', 'Joe');

function run(actions: Action[], start: ChatState = initialState()): ChatState {
  return actions.reduce(chatReducer, start);
}

function signedIn(...actions: Action[]): ChatState {
  return run([
    { type: 'session', user: ME },
    {
      type: 'roomsListed',
      rooms: [summary('0', 'General'), summary('1:2', 'Joe', { peer: JOE }), summary('7', 'Rustaceans')],
    },
    ...actions,
  ]);
}

/** A page as the server sends it: a cursor the page does not have is left out. */
function page(messages: ReturnType<typeof msg>[], before?: string, after?: string): MessagePage {
  const p: MessagePage = { messages };
  if (before !== undefined) p.before = before;
  if (after !== undefined) p.after = after;
  return p;
}

const ids = (s: ChatState, room = '0') => s.rooms[room]?.messages.map((m) => m.id);

describe('merging live and fetched messages', () => {
  it('shows a live message that arrived while the first page was loading once', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('c', 3, '2'), visible: true },
      { type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('a', 1), msg('b', 2, '2'), msg('c', 3, '2')]) },
    );
    expect(ids(s)).toEqual(['a', 'b', 'c']);
    expect(s.rooms['0']?.historyLoaded).toBe(true);
  });

  it('prepends older pages in order and remembers the next cursor', () => {
    const s = signedIn(
      { type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('c', 3), msg('d', 4)], 'cur-1') },
      { type: 'pageLoaded', roomId: '0', kind: 'older', page: page([msg('a', 1), msg('b', 2)]) },
    );
    expect(ids(s)).toEqual(['a', 'b', 'c', 'd']);
    expect(s.rooms['0']?.olderCursor).toBeNull();
  });

  it('keeps the older cursor of the first page', () => {
    const s = signedIn({ type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('c', 3)], 'older-than-c') });
    expect(s.rooms['0']?.olderCursor).toBe('older-than-c');
  });

  it('drops live messages older than a full first page (load older brings them back in order)', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('old', 1), visible: true },
      { type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('x', 10), msg('y', 11)], 'cursor') },
    );
    expect(ids(s)).toEqual(['x', 'y']);
  });

  it('keeps everything when the first page is the whole history', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('b', 2), visible: true },
      { type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('a', 1)]) },
    );
    expect(ids(s)).toEqual(['a', 'b']);
  });

  it('ignores messages for rooms it does not know', () => {
    const before = signedIn();
    expect(chatReducer(before, { type: 'messageReceived', message: msg('z', 1, '2', '99'), visible: false })).toBe(before);
  });

  it('moves the room to the top of its section on a new message', () => {
    const s = signedIn(
      { type: 'roomUpserted', room: summary('8', 'Zig', { lastMessage: msg('z1', 5, '2', '8') }) },
      { type: 'messageReceived', message: msg('r1', 9, '2', '7'), visible: false },
    );
    expect(roomSections(s).named.map((r) => r.id)).toEqual(['7', '8']);
    expect(s.rooms['7']?.lastMessage?.id).toBe('r1');
  });
});

describe('unread counts', () => {
  it('starts from the server listing', () => {
    const s = run([{ type: 'session', user: ME }, { type: 'roomsListed', rooms: [summary('0', 'General', { unread: 4 })] }]);
    expect(s.rooms['0']?.unread).toBe(4);
  });

  it('counts live messages of rooms that are not on screen', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('a', 1, '2', '1:2'), visible: false },
      { type: 'messageReceived', message: msg('b', 2, '2', '1:2'), visible: false },
    );
    expect(s.rooms['1:2']?.unread).toBe(2);
  });

  it('does not count the open room, one own messages, or a message seen twice', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('a', 1, '2', '0'), visible: true },
      { type: 'messageReceived', message: msg('b', 2, '1', '1:2'), visible: false },
      { type: 'messageReceived', message: msg('c', 3, '2', '1:2'), visible: false },
      { type: 'messageReceived', message: msg('c', 3, '2', '1:2'), visible: false },
    );
    expect(s.rooms['0']?.unread).toBe(0);
    expect(s.rooms['1:2']?.unread).toBe(1);
  });

  it('resets when this tab marks the room read', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('a', 1, '2', '1:2'), visible: false },
      { type: 'readMarked', roomId: '1:2', date: 1 },
    );
    expect(s.rooms['1:2']?.unread).toBe(0);
    expect(readTarget(s, '1:2')).toBeNull();
  });

  it('resets on a room.read from another tab', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('a', 1, '2', '1:2'), visible: false },
      { type: 'messageReceived', message: msg('b', 2, '2', '1:2'), visible: false },
      { type: 'roomRead', roomId: '1:2', date: 2 },
    );
    expect(s.rooms['1:2']?.unread).toBe(0);
  });

  it('keeps messages newer than another tab read marker unread', () => {
    const s = signedIn(
      { type: 'pageLoaded', roomId: '1:2', kind: 'latest', page: page([]) },
      { type: 'messageReceived', message: msg('a', 1, '2', '1:2'), visible: false },
      { type: 'messageReceived', message: msg('b', 2, '2', '1:2'), visible: false },
      { type: 'roomRead', roomId: '1:2', date: 1 },
    );
    expect(s.rooms['1:2']?.unread).toBe(1);
  });

  it('does not bring back a count the server listed before this tab read the room', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('a', 5, '2', '0'), visible: true },
      { type: 'readMarked', roomId: '0', date: 5 },
      { type: 'roomsListed', rooms: [summary('0', 'General', { unread: 1, lastMessage: msg('a', 5, '2', '0') })] },
    );
    expect(s.rooms['0']?.unread).toBe(0);
  });

  it('asks to mark the open room read up to its newest message', () => {
    const s = signedIn({ type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('a', 1), msg('b', 2.5)]) });
    expect(readTarget(s, '0')).toBe(2.5);
    expect(readTarget(chatReducer(s, { type: 'readMarked', roomId: '0', date: 2.5 }), '0')).toBeNull();
  });
});

describe('sending', () => {
  const started: Action = { type: 'sendStarted', clientId: 'c1', roomId: '0', message: 'hi', at: 1000 };

  it('shows the message at once as pending', () => {
    const s = signedIn(started);
    expect(s.pending).toMatchObject([{ clientId: 'c1', status: 'sending', message: 'hi' }]);
  });

  it('replaces the pending message with the acknowledged one', () => {
    const s = signedIn(started, { type: 'ackReceived', clientId: 'c1', message: msg('m1', 5, '1', '0', 'hi') });
    expect(s.pending).toEqual([]);
    expect(ids(s)).toEqual(['m1']);
  });

  it('shows an acknowledged message once even if the broadcast came first', () => {
    const m = msg('m1', 5, '1', '0', 'hi');
    const s = signedIn(started, { type: 'messageReceived', message: m, visible: true }, { type: 'ackReceived', clientId: 'c1', message: m });
    expect(ids(s)).toEqual(['m1']);
    expect(s.pending).toEqual([]);
  });

  it('marks a refused send failed with the reason', () => {
    const s = signedIn(started, { type: 'sendFailed', clientId: 'c1', reason: 'rejected', error: 'too long' });
    expect(s.pending[0]).toMatchObject({ status: 'failed', reason: 'rejected', error: 'too long' });
    expect(resendable(s)).toEqual([]);
  });

  it('finds sends without an ack after the timeout', () => {
    const s = signedIn(started, { type: 'sendStarted', clientId: 'c2', roomId: '0', message: 'later', at: 9000 });
    expect(overdue(s, 1000).map((p) => p.clientId)).toEqual(['c1']);
    const failed = chatReducer(s, { type: 'sendFailed', clientId: 'c1', reason: 'timeout' });
    expect(failed.pending[0]?.status).toBe('failed');
    expect(overdue(failed, 1000)).toEqual([]);
  });

  it('fails everything in flight when the socket closes, and resends it after', () => {
    const s = signedIn(started, { type: 'connectionChanged', connection: 'offline', reconnectAt: 5000 });
    expect(s.pending[0]).toMatchObject({ status: 'failed', reason: 'disconnected' });
    expect(resendable(s).map((p) => p.clientId)).toEqual(['c1']);
  });

  it('resends after a reconnect what failed on the server side, not what it refused', () => {
    const s = signedIn(
      started,
      { type: 'sendStarted', clientId: 'c2', roomId: '0', message: 'x'.repeat(5000), at: 1001 },
      { type: 'sendFailed', clientId: 'c1', reason: 'server', error: 'retry' },
      { type: 'sendFailed', clientId: 'c2', reason: 'rejected', error: 'too long' },
    );
    expect(resendable(s).map((p) => p.clientId)).toEqual(['c1']);
  });

  it('retries with the same clientId and counts attempts', () => {
    const s = signedIn(
      started,
      { type: 'sendFailed', clientId: 'c1', reason: 'timeout' },
      { type: 'sendRetried', clientId: 'c1', at: 20_000 },
    );
    expect(s.pending[0]).toMatchObject({ clientId: 'c1', status: 'sending', attempts: 2, sentAt: 20_000, createdAt: 1000 });
    expect(s.pending[0]?.reason).toBeUndefined();
  });

  it('ignores a late failure for a message already acknowledged', () => {
    const acked = signedIn(started, { type: 'ackReceived', clientId: 'c1', message: msg('m1', 5) });
    expect(chatReducer(acked, { type: 'sendFailed', clientId: 'c1', reason: 'timeout' })).toBe(acked);
  });

  it('confirms a retried message once, even when both attempts are acknowledged', () => {
    const m = msg('m1', 5, '1', '0', 'hi');
    const s = signedIn(
      started,
      { type: 'sendFailed', clientId: 'c1', reason: 'timeout' },
      { type: 'sendRetried', clientId: 'c1', at: 2 },
      { type: 'ackReceived', clientId: 'c1', message: m },
      { type: 'ackReceived', clientId: 'c1', message: m },
    );
    expect(ids(s)).toEqual(['m1']);
    expect(s.pending).toEqual([]);
  });

  it('drops a discarded message', () => {
    const s = signedIn(started, { type: 'sendFailed', clientId: 'c1', reason: 'rejected' }, { type: 'pendingDiscarded', clientId: 'c1' });
    expect(s.pending).toEqual([]);
  });
});

describe('reconnect catch-up', () => {
  it('plans a fetch after the newest message of every loaded room', () => {
    const s = signedIn(
      { type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('a', 1), msg('b', 1700000000.123)]) },
      { type: 'pageLoaded', roomId: '7', kind: 'latest', page: page([]) },
      { type: 'messageReceived', message: msg('x', 3, '2', '1:2'), visible: false },
    );
    expect(catchUpPlan(s)).toEqual([
      { roomId: '0', after: '1700000000.123' },
      { roomId: '7', after: undefined },
    ]);
  });

  it('fills the gap without duplicates when the missed page overlaps what is shown', () => {
    const s = signedIn(
      { type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('a', 1), msg('b', 2)]) },
      { type: 'connectionChanged', connection: 'offline', reconnectAt: 1 },
      { type: 'connectionChanged', connection: 'online' },
      // A live message arrives before the catch-up answer, which overlaps it.
      { type: 'messageReceived', message: msg('e', 5), visible: true },
      { type: 'pageLoaded', roomId: '0', kind: 'after', page: page([msg('c', 3), msg('d', 4), msg('e', 5)]) },
    );
    expect(ids(s)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('counts missed messages of closed rooms as unread through the refreshed listing', () => {
    const s = signedIn(
      { type: 'connectionChanged', connection: 'offline', reconnectAt: 1 },
      { type: 'connectionChanged', connection: 'online' },
      { type: 'roomsListed', rooms: [summary('0', 'General'), summary('1:2', 'Joe', { peer: JOE, unread: 3, lastMessage: msg('q', 9, '2', '1:2') })] },
    );
    expect(s.rooms['1:2']?.unread).toBe(3);
    expect(s.rooms['1:2']?.lastMessage?.id).toBe('q');
    expect(s.rooms['7']).toBeUndefined();
  });

  it('forgets live messages of never-opened rooms, which may now have a gap', () => {
    const s = signedIn(
      { type: 'messageReceived', message: msg('x', 3, '2', '1:2'), visible: false },
      { type: 'connectionChanged', connection: 'offline', reconnectAt: 1 },
      { type: 'connectionChanged', connection: 'online' },
    );
    expect(s.rooms['1:2']?.messages).toEqual([]);
    expect(s.rooms['1:2']?.lastMessage?.id).toBe('x');
  });

  it('moves the open room to General when it disappears from the listing', () => {
    const s = signedIn({ type: 'roomActivated', roomId: '7' }, { type: 'roomsListed', rooms: [summary('0', 'General')] });
    expect(s.activeRoomId).toBe('0');
  });
});

describe('presence, names and typing', () => {
  it('lists other online users and follows connect/disconnect events', () => {
    let s = signedIn({ type: 'presence', user: user('3', 'Mary', true) });
    expect(onlineUsers(s).map((u) => u.username)).toEqual(['Joe', 'Mary']);
    s = chatReducer(s, { type: 'presence', user: user('2', 'Joe', false) });
    expect(onlineUsers(s).map((u) => u.username)).toEqual(['Mary']);
  });

  it('asks for the names of unknown senders', () => {
    const s = signedIn({ type: 'pageLoaded', roomId: '0', kind: 'latest', page: page([msg('a', 1, '9'), msg('b', 2, '2'), msg('c', 3, '4')]) });
    expect(missingUserIds(s)).toEqual(['4', '9']);
  });

  it('shows who is typing until it expires or they send', () => {
    let s = signedIn({ type: 'typingStarted', roomId: '0', userId: '2', username: 'Joe', until: 5000 });
    expect(typingLabel(typingNames(s, '0', 1000))).toBe('Joe is typing…');
    expect(typingNames(s, '0', 6000)).toEqual([]);
    s = chatReducer(s, { type: 'messageReceived', message: msg('a', 1, '2'), visible: true });
    expect(typingNames(s, '0', 1000)).toEqual([]);
  });

  it('never shows oneself typing', () => {
    const before = signedIn();
    expect(chatReducer(before, { type: 'typingStarted', roomId: '0', userId: '1', username: 'Pablo', until: 5000 })).toBe(before);
  });

  it('names two typists and counts more', () => {
    expect(typingLabel(['Joe', 'Mary'])).toBe('Joe and Mary are typing…');
    expect(typingLabel(['Joe', 'Mary', 'Alex'])).toBe('3 people are typing…');
  });
});

describe('roles', () => {
  it('keeps the user’s role in each room from the room list, `member` when unknown', () => {
    const s = run([
      { type: 'session', user: ME },
      { type: 'roomsListed', rooms: [summary('0', 'General'), summary('7', 'Rustaceans', { role: 'owner' })] },
    ]);
    expect(myRole(s, '7')).toBe('owner');
    expect(myRole(s, '0')).toBe('member');
    expect(myRole(s, '404')).toBe('member');
    // A later listing (after a reconnect) brings a role changed meanwhile.
    const later = chatReducer(s, { type: 'roomsListed', rooms: [summary('0', 'General'), summary('7', 'Rustaceans', { role: 'admin' })] });
    expect(myRole(later, '7')).toBe('admin');
  });

  it('follows member.role for the user, and ignores it for others and unknown rooms', () => {
    const s = signedIn();
    const promoted = chatReducer(s, { type: 'memberRole', roomId: '7', userId: ME.id, role: 'moderator' });
    expect(myRole(promoted, '7')).toBe('moderator');
    expect(chatReducer(promoted, { type: 'memberRole', roomId: '7', userId: JOE.id, role: 'admin' })).toBe(promoted);
    expect(chatReducer(promoted, { type: 'memberRole', roomId: '9', userId: ME.id, role: 'admin' })).toBe(promoted);
    expect(chatReducer(promoted, { type: 'memberRole', roomId: '7', userId: ME.id, role: 'moderator' })).toBe(promoted);
  });

  it('drops a room the user was removed from, the open one giving way to General', () => {
    const s = signedIn(
      { type: 'roomActivated', roomId: '7' },
      { type: 'sendStarted', clientId: 'c1', roomId: '7', message: 'hi', at: 1 },
      { type: 'roomRemoved', roomId: '7' },
    );
    expect(s.rooms['7']).toBeUndefined();
    expect(s.activeRoomId).toBe('0');
    expect(s.pending).toEqual([]);
  });
});

describe('read-only (muted by a moderator)', () => {
  const NOW = 1_767_225_600_000;

  it('keeps the mute per room while it lasts, and forgets it when lifted, over, or the room is gone', () => {
    const s = signedIn({ type: 'readOnly', roomId: '7', readOnly: { until: NOW / 1000 + 600, known: true } });
    expect(readOnlyIn(s, '7', NOW)).toEqual({ until: NOW / 1000 + 600, known: true });
    expect(readOnlyIn(s, '0', NOW)).toBeNull();
    // Over by the clock, even before the reducer hears it.
    expect(readOnlyIn(s, '7', NOW + 600_000)).toBeNull();
    // The same again changes nothing.
    expect(chatReducer(s, { type: 'readOnly', roomId: '7', readOnly: { until: NOW / 1000 + 600, known: true } })).toBe(s);

    const lifted = chatReducer(s, { type: 'readOnly', roomId: '7', readOnly: null });
    expect(lifted.readOnly).toEqual({});
    expect(chatReducer(lifted, { type: 'readOnly', roomId: '7', readOnly: null })).toBe(lifted);

    const two = chatReducer(s, { type: 'readOnly', roomId: '0', readOnly: { until: NOW / 1000 + 60, known: false } });
    const later = chatReducer(two, { type: 'readOnlyExpired', now: NOW + 60_000 });
    expect(Object.keys(later.readOnly)).toEqual(['7']);
    expect(chatReducer(later, { type: 'readOnlyExpired', now: NOW + 60_000 })).toBe(later);

    expect(chatReducer(s, { type: 'roomRemoved', roomId: '7' }).readOnly).toEqual({});
  });

  it('takes the mute from the room list after a load, which also clears one no longer there', () => {
    const listed = chatReducer(signedIn(), {
      type: 'roomsListed',
      rooms: [summary('0', 'General'), summary('7', 'Quiet', { readOnlyUntil: NOW / 1000 + 600 })],
    });
    expect(readOnlyIn(listed, '7', NOW)).toEqual({ until: NOW / 1000 + 600, known: true });
    expect(readOnlyIn(listed, '0', NOW)).toBeNull();
    const relisted = chatReducer(listed, { type: 'roomsListed', rooms: [summary('0', 'General'), summary('7', 'Quiet')] });
    expect(relisted.readOnly).toEqual({});
    const upserted = chatReducer(relisted, { type: 'roomUpserted', room: summary('7', 'Quiet', { readOnlyUntil: NOW / 1000 + 60 }) });
    expect(readOnlyIn(upserted, '7', NOW)?.until).toBe(NOW / 1000 + 60);
    expect(chatReducer(upserted, { type: 'roomUpserted', room: summary('7', 'Quiet') }).readOnly).toEqual({});
  });
});

describe('private rooms, invitations and reports', () => {
  const PABLO = user('4', 'Pablo');
  const invitation = (id: string, date: number) => ({ id, roomId: `1${id.length}`, roomName: `Room ${id}`, user: ME, invitedBy: PABLO, date });
  const report = (id: string, date: number, roomId = '7'): ReportItem => ({
    id,
    roomId,
    messageId: `m${id}`,
    reporterId: '2',
    authorId: '4',
    excerpt: 'spam',
    reason: 'spam',
    date,
    status: 'open',
  });
  /** User 1, moderator of the private # Rustaceans (7), member of the public # Crabs (8). */
  function moderating(...actions: Action[]): ChatState {
    return run([
      { type: 'session', user: ME },
      {
        type: 'roomsListed',
        rooms: [
          summary('0', 'General'),
          summary('7', 'Rustaceans', { role: 'moderator', visibility: 'private' }),
          summary('8', 'Crabs', { visibility: 'public' }),
        ],
      },
      ...actions,
    ]);
  }

  it('keep a named room’s visibility from the list and follow room.updated', () => {
    let s = moderating();
    expect(s.rooms['7']?.visibility).toBe('private');
    expect(s.rooms['0']?.visibility).toBeUndefined();
    s = chatReducer(s, { type: 'roomUpdated', roomId: '7', name: 'Rustaceans', visibility: 'public' });
    expect(s.rooms['7']?.visibility).toBe('public');
    // Nothing changes for a room the user is not in, nor when nothing changed.
    expect(chatReducer(s, { type: 'roomUpdated', roomId: '99', name: 'X', visibility: 'private' })).toBe(s);
    expect(chatReducer(s, { type: 'roomUpdated', roomId: '7', name: 'Rustaceans', visibility: 'public' })).toBe(s);
  });

  it('list the user’s invitations oldest first, add and remove them live', () => {
    let s = moderating({ type: 'invitesListed', invites: [invitation('b', 2), invitation('a', 1)] });
    expect(s.invitesLoaded).toBe(true);
    expect(s.invites.map((i) => i.id)).toEqual(['a', 'b']);
    s = chatReducer(s, { type: 'inviteReceived', invite: invitation('c', 3) });
    s = chatReducer(s, { type: 'inviteRemoved', id: 'a' });
    expect(s.invites.map((i) => i.id)).toEqual(['b', 'c']);
    expect(chatReducer(s, { type: 'inviteRemoved', id: 'zzz' })).toBe(s);
  });

  it('count the open reports of the rooms the user moderates, live', () => {
    let s = moderating(
      { type: 'reportsListed', roomId: '7', reports: [report('r1', 1)], loaded: true },
      { type: 'reportsListed', roomId: '7', reports: [report('r2', 2)] },
      // Not a moderator of # Crabs: its reports are not the user's to see.
      { type: 'reportsListed', roomId: '8', reports: [report('r3', 3, '8')] },
    );
    expect(openReports(s, '7').items.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(openReports(s, '7').loaded).toBe(true);
    expect(openReports(s, '8').items).toEqual([]);
    s = chatReducer(s, { type: 'reportClosed', roomId: '7', reportId: 'r1' });
    expect(openReports(s, '7').items.map((r) => r.id)).toEqual(['r2']);
    // A reconnect forgets them (they are fetched again).
    expect(openReports(chatReducer(s, { type: 'reportsReset' }), '7')).toEqual({ items: [], loaded: false });
  });

  it('forget a room’s reports when the user is no longer its moderator, or leaves it', () => {
    const s = moderating({ type: 'reportsListed', roomId: '7', reports: [report('r1', 1)], loaded: true });
    const demoted = chatReducer(s, { type: 'memberRole', roomId: '7', userId: ME.id, role: 'member' });
    expect(openReports(demoted, '7').items).toEqual([]);
    const promoted = chatReducer(s, { type: 'memberRole', roomId: '7', userId: ME.id, role: 'admin' });
    expect(openReports(promoted, '7').items).toHaveLength(1);
    expect(openReports(chatReducer(s, { type: 'roomRemoved', roomId: '7' }), '7').items).toEqual([]);
    const relisted = chatReducer(s, { type: 'roomsListed', rooms: [summary('0', 'General'), summary('7', 'Rustaceans', { role: 'member' })] });
    expect(relisted.reports['7']).toBeUndefined();
  });
});
