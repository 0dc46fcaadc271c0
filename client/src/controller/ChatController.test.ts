import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type Api, type UploadOptions } from '../api/client';
import type { Message, MessagePage, Role, RoomSummary, Upload, User } from '../api/types';
import { openReports, readOnlyIn, uploadsFor } from '../state/chat';
import { msg, summary, user } from '../state/fixtures';
import type { ClientEvent } from '../ws/events';
import type { Note } from '../state/notify';
import { ChatController, type ControllerEnv } from './ChatController';

/** A stand-in for the browser's WebSocket that the test drives by hand. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: ClientEvent[] = [];
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientEvent);
  }
  /** Closes as the browser reports it: `code` when a close frame came (1008 "signed out"). */
  close(code?: number) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  /** The server accepts the socket and greets it. */
  accept(me: User) {
    this.readyState = 1;
    this.onopen?.({} as Event);
    this.push('ready', { user: me, serverId: 'A' });
  }
  push(type: string, data: unknown) {
    this.onmessage?.({ data: JSON.stringify({ type, data }) } as MessageEvent);
  }
}

const ME = user('1', 'Pablo');

interface FakeServer {
  rooms: RoomSummary[];
  history: Record<string, Message[]>;
  calls: string[];
}

/** The history of a room as the server keeps it, found by message id. */
function stored(server: FakeServer, roomId: string, id: string): Message {
  const m = server.history[roomId]?.find((x) => x.id === id);
  if (!m) throw new Error(`no message ${id}`);
  return m;
}

/** An Api answering from in-memory rooms, the way the real server pages them. */
function fakeApi(server: FakeServer): Api {
  const reply = <T,>(v: T) => Promise.resolve(v);
  const api = {
    rooms: () => reply(server.rooms),
    online: () => reply([]),
    users: (ids: string[]) => reply(ids.map((id) => user(id, `U${id}`))),
    me: () => reply({ id: ME.id, username: ME.username }),
    messages: (roomId: string, opts: Parameters<Api['messages']>[1] = {}): Promise<MessagePage> => {
      server.calls.push(`${roomId}?${opts.after !== undefined ? `after=${opts.after}` : ''}`);
      const all = server.history[roomId] ?? [];
      const limit = opts.limit ?? 50;
      if (opts.after !== undefined) {
        const after = Number(opts.after);
        const page = all.filter((m) => m.date > after).slice(0, limit);
        return reply({ messages: page });
      }
      const older = opts.before !== undefined ? all.filter((m) => m.date < Number(opts.before)) : all;
      const page = older.slice(-limit);
      return reply(older.length > limit ? { messages: page, before: String(page[0]?.date) } : { messages: page });
    },
    markRead: () => reply(undefined),
    myInvites: () => reply([]),
    reports: () => reply([]),
    editMessage: (roomId: string, id: string, text: string) => {
      server.calls.push(`PATCH ${roomId}/${id}`);
      return reply({ ...stored(server, roomId, id), message: text, edited: 99 });
    },
    mute: (roomId: string) => {
      server.calls.push(`PUT ${roomId}/mute`);
      return reply(undefined);
    },
  };
  return api as unknown as Api;
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 1000) {
  for (let i = 0; i < timeoutMs / 5; i++) {
    if (check()) return;
    await tick(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let controller: ChatController | null = null;
afterEach(() => {
  controller?.stop();
  controller = null;
  FakeSocket.all = [];
});

function setup(server: FakeServer, env: Partial<ControllerEnv> = {}): ChatController {
  controller = new ChatController(
    {
      api: fakeApi(server),
      wsUrl: 'ws://test/ws',
      pageVisible: () => true,
      narrow: () => false,
      onSignedOut: () => undefined,
      socket: { delay: () => 10, createSocket: (u) => new FakeSocket(u) as unknown as WebSocket },
      ...env,
    },
    { id: ME.id, username: ME.username },
  );
  controller.start();
  return controller;
}

const messageIds = (c: ChatController, room = '0') => c.state.rooms[room]?.messages.map((m) => m.id) ?? [];

describe('ChatController', () => {
  it('catches up after a reconnect and resends what failed, with the same clientId', async () => {
    const server: FakeServer = {
      rooms: [summary('0', 'General')],
      history: { '0': [msg('a', 1, '2'), msg('b', 2, '2')] },
      calls: [],
    };
    const c = setup(server);
    FakeSocket.all[0]!.accept(ME);
    await until(() => messageIds(c).length === 2, 'the first page');

    // The connection drops; a message typed meanwhile is kept as failed.
    FakeSocket.all[0]!.close();
    expect(c.state.connection).toBe('offline');
    c.send('written offline');
    expect(c.state.pending[0]).toMatchObject({ status: 'failed', reason: 'disconnected' });
    const clientId = c.state.pending[0]!.clientId;

    // Others keep talking while this tab is away.
    server.history['0']!.push(msg('c', 3, '2'), msg('d', 4, '2'));

    await until(() => FakeSocket.all.length === 2, 'a reconnect attempt');
    const second = FakeSocket.all[1]!;
    second.accept(ME);
    await until(() => messageIds(c).length === 4, 'the catch-up');
    expect(messageIds(c)).toEqual(['a', 'b', 'c', 'd']);
    expect(server.calls).toContain('0?after=2');

    // The failed message went out again on the new socket with its clientId.
    const resent = second.sent.find((e) => e.type === 'message');
    expect(resent).toEqual({ type: 'message', data: { roomId: '0', message: 'written offline', clientId } });
    expect(c.state.pending[0]?.status).toBe('sending');

    second.push('ack', { clientId, message: msg('e', 5, '1', '0', 'written offline') });
    expect(c.state.pending).toEqual([]);
    expect(messageIds(c)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('marks the open room read and counts messages of other rooms', async () => {
    const server: FakeServer = {
      rooms: [summary('0', 'General'), summary('1:2', 'Joe', { peer: user('2', 'Joe') })],
      history: { '0': [msg('a', 1, '2')] },
      calls: [],
    };
    const c = setup(server);
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => ws.sent.some((e) => e.type === 'read'), 'a read marker');
    expect(ws.sent.find((e) => e.type === 'read')).toEqual({ type: 'read', data: { roomId: '0', date: 1 } });

    ws.push('message', msg('x', 5, '2', '1:2'));
    expect(c.state.rooms['1:2']?.unread).toBe(1);
    ws.push('room.read', { roomId: '1:2', userId: '1', date: 5 });
    expect(c.state.rooms['1:2']?.unread).toBe(0);
  });

  it('refreshes the room list when a message arrives for an unknown room', async () => {
    const server: FakeServer = { rooms: [summary('0', 'General')], history: {}, calls: [] };
    const c = setup(server);
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.roomsLoaded, 'the room list');
    server.rooms = [...server.rooms, summary('1:3', 'Mary', { peer: user('3', 'Mary'), unread: 1, lastMessage: msg('m', 9, '3', '1:3') })];
    ws.push('message', msg('m', 9, '3', '1:3'));
    await until(() => c.state.rooms['1:3'] !== undefined, 'the new direct room');
    expect(c.state.rooms['1:3']?.unread).toBe(1);
  });

  it('marks a message refused by the server as failed, not to be resent by itself', async () => {
    const server: FakeServer = { rooms: [summary('0', 'General')], history: {}, calls: [] };
    const c = setup(server);
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.roomsLoaded, 'the room list');
    c.send('hello');
    const clientId = c.state.pending[0]!.clientId;
    ws.push('error', { error: 'message_too_long', message: 'message: too long', clientId });
    expect(c.state.pending[0]).toMatchObject({ status: 'failed', reason: 'rejected', error: 'too long' });
    c.retry(clientId);
    expect(ws.sent.filter((e) => e.type === 'message' && e.data.clientId === clientId)).toHaveLength(2);
  });

  it.each([
    ['the server says how long to wait under its rate', { error: 'rate_limited', message: 'too many messages; retry in 0.1 s', retryAfterMs: 100 }],
    ['the server says the first attempt is in progress', { error: 'in_progress', message: 'clientId: still being stored' }],
  ])('sends again, with the same clientId, when %s', async (_why, refusal) => {
    const server: FakeServer = { rooms: [summary('0', 'General')], history: {}, calls: [] };
    const c = setup(server);
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.roomsLoaded, 'the room list');
    c.send('hello');
    const clientId = c.state.pending[0]!.clientId;
    ws.push('error', { ...refusal, clientId });
    expect(c.state.pending[0]?.status).toBe('sending');
    await until(() => ws.sent.filter((e) => e.type === 'message').length === 2, 'the second attempt', 3000);
    expect(ws.sent.filter((e) => e.type === 'message').map((e) => e.data.clientId)).toEqual([clientId, clientId]);
    ws.push('ack', { clientId, message: msg('m1', 5, '1', '0', 'hello') });
    expect(c.state.pending).toEqual([]);
  });
});

describe('ChatController: edits, deletions, reactions, replies', () => {
  /** Pablo signed in, General's history loaded, the socket ready. */
  async function ready(history: Message[], env: Partial<ControllerEnv> = {}) {
    const server: FakeServer = { rooms: [summary('0', 'General'), summary('7', 'Rustaceans')], history: { '0': history }, calls: [] };
    const c = setup(server, env);
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.rooms['0']?.historyLoaded === true, 'the first page');
    return { c, ws, server };
  }

  const frames = (ws: FakeSocket, type: ClientEvent['type']) => ws.sent.filter((e) => e.type === type);

  it('edits with an `edit` frame and a clientId; the ack shows the edited message', async () => {
    const { c, ws } = await ready([msg('a', 1, '1', '0', 'typo')]);
    c.editMessage('0', 'a', 'fixed');
    const [frame] = frames(ws, 'edit');
    expect(frame).toMatchObject({ type: 'edit', data: { roomId: '0', messageId: 'a', message: 'fixed' } });
    const clientId = frame?.type === 'edit' ? frame.data.clientId : undefined;
    expect(clientId).toBeTruthy();
    expect(c.state.changes).toMatchObject([{ clientId, status: 'sending' }]);

    ws.push('ack', { clientId, message: { ...msg('a', 1, '1', '0', 'fixed'), edited: 2 } });
    expect(c.state.changes).toEqual([]);
    expect(c.state.rooms['0']?.messages[0]).toMatchObject({ message: 'fixed', edited: 2 });
    expect(c.state.pending).toEqual([]);
  });

  it('shows a refused change by its clientId, with the reason, and deletes with a `delete` frame', async () => {
    const { c, ws } = await ready([msg('a', 1, '2', '0', 'not mine')]);
    c.deleteMessage('0', 'a');
    const [frame] = frames(ws, 'delete');
    const clientId = frame?.type === 'delete' ? frame.data.clientId : '';
    ws.push('error', { error: 'not_author', message: 'messageId: only its author may change this message', clientId });
    expect(c.state.changes[0]).toMatchObject({ status: 'failed', error: 'only its author may change this message' });
    expect(c.state.rooms['0']?.messages[0]?.message).toBe('not mine');
  });

  it('toggles a reaction: adds it when not mine, takes it back when mine', async () => {
    const { c, ws } = await ready([{ ...msg('a', 1, '2'), reactions: [{ emoji: '👍', count: 1, mine: true }] }]);
    c.toggleReaction('0', 'a', '👍');
    c.toggleReaction('0', 'a', '🎉');
    expect(frames(ws, 'react').map((e) => (e.type === 'react' ? [e.data.emoji, e.data.add] : null))).toEqual([
      ['👍', false],
      ['🎉', true],
    ]);
  });

  it('applies reaction.changed, message.edited and message.deleted from others live', async () => {
    const { c, ws } = await ready([{ ...msg('a', 1, '2', '0', 'hi'), reactions: [{ emoji: '👍', count: 1, mine: true }] }, msg('b', 2, '3')]);
    ws.push('reaction.changed', { roomId: '0', messageId: 'a', emoji: '👍', count: 2, userId: '3', added: true, version: 2 });
    ws.push('message.edited', { ...msg('a', 1, '2', '0', 'hello'), edited: 3 });
    expect(c.state.rooms['0']?.messages[0]).toMatchObject({ message: 'hello', edited: 3, reactions: [{ emoji: '👍', count: 2, mine: true }] });
    ws.push('message.deleted', { id: 'b', from: '3', date: 2, message: '', roomId: '0', deleted: true });
    expect(c.state.rooms['0']?.messages[1]).toMatchObject({ id: 'b', deleted: true, message: '' });
  });

  it('sends a reply with replyTo, and again with it after a failure', async () => {
    const { c, ws } = await ready([msg('a', 1, '2', '0', 'question')]);
    c.startReply('a');
    c.send('answer');
    const sent = frames(ws, 'message');
    expect(sent[0]).toMatchObject({ type: 'message', data: { roomId: '0', message: 'answer', replyTo: 'a' } });
    expect(c.state.replyTargets).toEqual({});
    const clientId = sent[0]?.type === 'message' ? sent[0].data.clientId : '';
    ws.push('error', { error: 'internal', message: 'the server could not do this; retry', clientId });
    c.retry(clientId ?? '');
    expect(frames(ws, 'message')[1]).toMatchObject({ data: { clientId, replyTo: 'a' } });
  });

  it('loads older pages until the parent of a reply is there', async () => {
    const history = Array.from({ length: 120 }, (_, i) => msg(`m${i}`, i + 1, '2'));
    const { c, server } = await ready(history);
    expect(c.state.rooms['0']?.messages).toHaveLength(50);
    expect(await c.revealMessage('0', 'm3')).toBe(true);
    expect(c.state.rooms['0']?.messages.some((m) => m.id === 'm3')).toBe(true);
    expect(server.calls.filter((x) => x === '0?')).toHaveLength(3);
    expect(await c.revealMessage('0', 'nowhere')).toBe(false);
    expect(c.state.notice).toMatch(/no longer in the history/);
  });

  it('edits over REST when the socket is down', async () => {
    const { c, ws, server } = await ready([msg('a', 1, '1', '0', 'typo')]);
    ws.close();
    c.editMessage('0', 'a', 'fixed offline');
    await until(() => c.state.changes.length === 0, 'the REST answer');
    expect(server.calls).toContain('PATCH 0/a');
    expect(c.state.rooms['0']?.messages[0]?.message).toBe('fixed offline');
  });
});

describe('ChatController: notifications and mute', () => {
  async function hiddenPage() {
    const notes: Note[] = [];
    const server: FakeServer = {
      rooms: [summary('0', 'General'), summary('1:2', 'Joe', { peer: user('2', 'Joe') }), summary('7', 'Rustaceans')],
      history: {},
      calls: [],
    };
    const c = setup(server, { pageVisible: () => false, notify: (n) => notes.push(n) });
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.roomsLoaded, 'the room list');
    return { c, ws, notes, server };
  }

  it('notifies of a direct message and of a mention while the page is hidden', async () => {
    const { ws, notes } = await hiddenPage();
    ws.push('message', msg('d1', 5, '2', '1:2', 'psst'));
    ws.push('message', { ...msg('g1', 6, '2', '7', 'hey @Pablo'), mentions: ['1'] });
    ws.push('message', msg('g2', 7, '2', '0', 'just chatting'));
    expect(notes.map((n) => [n.title, n.body])).toEqual([
      ['Joe', 'psst'],
      ['Joe mentioned you in # Rustaceans', 'hey @Pablo'],
    ]);
  });

  it('mutes over REST and never notifies of a muted room; follows room.muted from other tabs', async () => {
    const { c, ws, notes, server } = await hiddenPage();
    await c.setMuted('1:2', true);
    expect(server.calls).toContain('PUT 1:2/mute');
    expect(c.state.rooms['1:2']?.muted).toBe(true);
    ws.push('room.muted', { roomId: '7', userId: '1', muted: true });
    expect(c.state.rooms['7']?.muted).toBe(true);
    ws.push('message', msg('d1', 5, '2', '1:2', 'psst'));
    ws.push('message', { ...msg('g1', 6, '2', '7', 'hey @Pablo'), mentions: ['1'] });
    expect(notes).toEqual([]);
    expect(c.state.rooms['1:2']?.unread).toBe(1);
    expect(c.state.rooms['7']?.mentions).toBe(1);
  });
});

describe('ChatController: account', () => {
  const unauthorized = () => Promise.reject(new ApiError(401, 'unauthorized', 'not signed in or the session expired'));

  /**
   * Pablo signed in with the socket ready; `account` replaces Api methods (the session's
   * own requests: me, changePassword, logoutAll, deleteAccount). Counts sign-outs.
   */
  async function signedIn(account: Partial<Api> = {}) {
    const server: FakeServer = { rooms: [summary('0', 'General')], history: {}, calls: [] };
    const signedOut: string[] = [];
    const api = { ...fakeApi(server), ...account } as Api;
    const c = setup(server, { api, onSignedOut: () => signedOut.push('signed out') });
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.roomsLoaded, 'the room list');
    return { c, ws, signedOut };
  }

  it('signs out at once when the server closes the socket because the session ended (1008)', async () => {
    let asked = 0;
    const { c, ws, signedOut } = await signedIn({ me: () => (asked++, unauthorized()) });
    ws.close(1008);
    await until(() => signedOut.length > 0, 'the sign-out');
    expect(asked).toBe(1);
    expect(signedOut).toEqual(['signed out']);
    // Stopped: no more reconnects.
    const sockets = FakeSocket.all.length;
    await tick(50);
    expect(FakeSocket.all.length).toBe(sockets);
    expect(c.state.connection).toBe('offline');
  });

  it('only reconnects after a close for another reason, or when the session is still there', async () => {
    let asked = 0;
    const { ws, signedOut } = await signedIn({ me: () => (asked++, Promise.resolve({ id: ME.id, username: ME.username })) });
    ws.close(1013);
    await until(() => FakeSocket.all.length === 2, 'a reconnect attempt');
    expect(asked).toBe(0);
    FakeSocket.all[1]!.accept(ME);
    // 1008 but the session is fine (another of the user's sessions ended): carry on.
    FakeSocket.all[1]!.close(1008);
    await until(() => FakeSocket.all.length === 3, 'another reconnect attempt');
    expect(asked).toBe(1);
    expect(signedOut).toEqual([]);
  });

  it('changes the password and carries on signed in', async () => {
    const asked: [string, string][] = [];
    const { c, ws, signedOut } = await signedIn({
      changePassword: (current, next) => {
        asked.push([current, next]);
        return Promise.resolve();
      },
    });
    await c.changePassword('old-password', 'new-password');
    expect(asked).toEqual([['old-password', 'new-password']]);
    expect(signedOut).toEqual([]);
    expect(c.state.connection).toBe('online');
    c.send('still here');
    expect(ws.sent.some((e) => e.type === 'message')).toBe(true);
  });

  it('throws a refusal for the dialog and stays signed in; a 401 signs out', async () => {
    let answer: () => Promise<void> = () =>
      Promise.reject(new ApiError(403, 'wrong_password', "the password is not this account's"));
    const { c, signedOut } = await signedIn({ changePassword: () => answer(), deleteAccount: () => answer() });
    await expect(c.changePassword('wrong', 'new-password')).rejects.toMatchObject({ status: 403, error: 'wrong_password' });
    await expect(c.deleteAccount('wrong')).rejects.toMatchObject({ status: 403 });
    expect(signedOut).toEqual([]);
    expect(c.state.connection).toBe('online');

    answer = unauthorized;
    await expect(c.changePassword('old-password', 'new-password')).rejects.toMatchObject({ status: 401 });
    expect(signedOut).toEqual(['signed out']);
  });

  it.each([
    ['signs out everywhere', (c: ChatController) => c.logoutAll()],
    ['deletes the account', (c: ChatController) => c.deleteAccount('secret-password')],
  ])('%s: stops without reporting an expired session, though the socket closes first', async (_what, act) => {
    let ws: FakeSocket | null = null;
    let asked = 0;
    // The server closes this session's socket before its answer arrives.
    const ending = async () => {
      ws?.close(1008);
      await tick(20);
    };
    const { c, signedOut, ws: socket } = await signedIn({
      me: () => (asked++, unauthorized()),
      logoutAll: ending,
      deleteAccount: ending,
    });
    ws = socket;
    await act(c);
    expect(asked).toBe(1);
    expect(signedOut).toEqual([]);
    const sockets = FakeSocket.all.length;
    await tick(50);
    expect(FakeSocket.all.length).toBe(sockets);
    expect(signedOut).toEqual([]);
  });
});

describe('ChatController: roles and moderation', () => {
  /** Pablo with General and # Rustaceans (owner there), the named room open; `extra` replaces Api methods. */
  async function inRoom(extra: Partial<Api> = {}) {
    const server: FakeServer = { rooms: [summary('0', 'General'), summary('7', 'Rustaceans', { role: 'owner' })], history: {}, calls: [] };
    const api = { ...fakeApi(server), ...extra } as Api;
    const c = setup(server, { api });
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.roomsLoaded, 'the room list');
    c.openRoom('7');
    return { c, ws, server };
  }

  it('keeps the role from the room list and follows member.role for the user; every change reaches the panel', async () => {
    const { c, ws } = await inRoom();
    expect(c.state.rooms['7']?.role).toBe('owner');
    const seen: string[] = [];
    const stop = c.onMemberEvent((e) => seen.push(`${e.type} ${e.data.userId}`));
    ws.push('member.role', { roomId: '7', userId: '1', role: 'admin', by: '4' });
    ws.push('member.role', { roomId: '7', userId: '2', role: 'moderator', by: '1' });
    ws.push('member.kicked', { roomId: '7', userId: '3', by: '1' });
    expect(c.state.rooms['7']?.role).toBe('admin');
    expect(seen).toEqual(['member.role 1', 'member.role 2', 'member.kicked 3']);
    stop();
    ws.push('member.banned', { roomId: '7', userId: '2', by: '1', reason: 'spam' });
    expect(seen).toHaveLength(3);
  });

  it('removes a room the user was kicked from, opens General and says so', async () => {
    const { c, ws } = await inRoom();
    ws.push('member.kicked', { roomId: '7', userId: '1', by: '4' });
    ws.push('room.left', { roomId: '7', userId: '1', name: 'Rustaceans', reason: 'kicked' });
    expect(c.state.rooms['7']).toBeUndefined();
    expect(c.state.activeRoomId).toBe('0');
    expect(c.state.notice).toBe('You were removed from # Rustaceans by a moderator.');
  });

  it('tells a banned user the reason given, and nothing when the user left by themselves', async () => {
    const { c, ws } = await inRoom();
    ws.push('member.banned', { roomId: '7', userId: '1', by: '4', reason: 'spam' });
    ws.push('room.left', { roomId: '7', userId: '1', name: 'Rustaceans', reason: 'banned' });
    expect(c.state.rooms['7']).toBeUndefined();
    expect(c.state.notice).toBe('You were banned from # Rustaceans. Reason: spam');

    c.dismissNotice();
    ws.push('room.joined', { roomId: '7', userId: '1', name: 'Rustaceans' });
    await until(() => c.state.rooms['7'] !== undefined, 'the room again');
    ws.push('room.left', { roomId: '7', userId: '1', name: 'Rustaceans' });
    expect(c.state.rooms['7']).toBeUndefined();
    expect(c.state.notice).toBeNull();
  });

  it('keeps the room when the last owner may not leave, and says why', async () => {
    const refusal = () => Promise.reject(new ApiError(409, 'last_owner', 'id: the room keeps at least one owner'));
    const { c } = await inRoom({ leave: refusal });
    await c.leaveRoom('7');
    expect(c.state.rooms['7']).toBeDefined();
    expect(c.state.notice).toBe('You are the last owner of this room: make another member owner before you leave.');
    await expect(c.leave('7')).rejects.toMatchObject({ error: 'last_owner' });
  });

  it('learns the names in the members list and the audit log; a role given shows at once', async () => {
    const roles: string[] = [];
    const { c } = await inRoom({
      members: () => Promise.resolve({ items: [{ user: user('5', 'olga'), role: 'admin' as const }], next: 'n1' }),
      audit: () => Promise.resolve([{ id: 'e1', action: 'role', actor: '5', target: '6', detail: 'admin', date: 1 }]),
      setRole: (_room, userId, role) => (roles.push(`${userId}=${role}`), Promise.resolve()),
    });
    expect(await c.members('7')).toMatchObject({ next: 'n1' });
    expect(c.state.users['5']?.username).toBe('olga');
    await c.audit('7');
    await until(() => c.state.users['6'] !== undefined, 'the name of the audit entry’s target');
    await c.setRole('7', '1', 'moderator');
    expect(roles).toEqual(['1=moderator']);
    expect(c.state.rooms['7']?.role).toBe('moderator');
  });

  it('makes members read-only and lifts it over REST; a mute already over counts as lifted', async () => {
    const calls: string[] = [];
    const { c } = await inRoom({
      muteMember: (roomId, userId, secs) => (calls.push(`PUT ${roomId}/${userId} ${secs}`), Promise.resolve()),
      unmuteMember: (roomId, userId) => (calls.push(`DELETE ${roomId}/${userId}`), Promise.reject(new ApiError(404, 'not_found', 'userId: not muted'))),
    });
    await c.muteMember('7', '3', 600);
    await expect(c.unmuteMember('7', '3')).resolves.toBeUndefined();
    expect(calls).toEqual(['PUT 7/3 600', 'DELETE 7/3']);
  });

  it('follows member.muted: the panel hears every one, the composer waits while the user is muted', async () => {
    const { c, ws } = await inRoom();
    const seen: string[] = [];
    const stop = c.onMemberEvent((e) => seen.push(`${e.type} ${e.data.userId}`));
    const until = Date.now() / 1000 + 600;
    ws.push('member.muted', { roomId: '7', userId: '3', by: '1', until });
    expect(readOnlyIn(c.state, '7', Date.now())).toBeNull();
    ws.push('member.muted', { roomId: '7', userId: '1', by: '4', until });
    expect(readOnlyIn(c.state, '7', Date.now())).toEqual({ until, known: true });
    ws.push('member.muted', { roomId: '7', userId: '1', by: '4' });
    expect(readOnlyIn(c.state, '7', Date.now())).toBeNull();
    expect(seen).toEqual(['member.muted 3', 'member.muted 1', 'member.muted 1']);
    stop();
  });

  it('opens the composer again by itself when the mute ends', async () => {
    const { c, ws } = await inRoom();
    ws.push('member.muted', { roomId: '7', userId: '1', by: '4', until: Date.now() / 1000 + 0.1 });
    expect(c.state.readOnly['7']).toBeDefined();
    await until(() => c.state.readOnly['7'] === undefined, 'the end of the mute', 2000);
  });

  it('shows a message refused with `muted` as failed, with why, and makes the room read-only', async () => {
    const { c, ws } = await inRoom();
    c.send('hello');
    const clientId = c.state.pending[0]!.clientId;
    const end = Math.floor(Date.now() / 1000) + 3600;
    ws.push('error', { error: 'muted', message: `roomId: a moderator made you read-only in this room until ${end}`, clientId });
    const time = new Date(end * 1000).toLocaleString();
    expect(c.state.pending[0]).toMatchObject({ status: 'failed', reason: 'rejected', error: `a moderator made you read-only here until ${time}.` });
    expect(readOnlyIn(c.state, '7', Date.now())).toEqual({ until: end, known: true });
    // Not sent again by itself on a reconnect.
    ws.close();
    await until(() => FakeSocket.all.length === 2, 'a new socket');
    FakeSocket.all[1]!.accept(ME);
    await tick(20);
    expect(FakeSocket.all[1]!.sent.filter((e) => e.type === 'message')).toEqual([]);
  });

  it('shows an edit refused with `muted`, over the socket and over REST', async () => {
    const { c, ws } = await inRoom({
      editMessage: () => Promise.reject(new ApiError(403, 'muted', 'roomId: a moderator made you read-only in this room')),
    });
    c.editMessage('7', 'a', 'fixed');
    const frame = ws.sent.find((e) => e.type === 'edit');
    const clientId = frame?.type === 'edit' ? (frame.data.clientId ?? '') : '';
    ws.push('error', { error: 'muted', message: 'roomId: a moderator made you read-only in this room', clientId });
    expect(c.state.changes[0]).toMatchObject({ status: 'failed', error: 'a moderator made you read-only here.' });
    expect(c.state.readOnly['7']).toMatchObject({ known: false });
    c.dismissChange(clientId);
    c.store.dispatch({ type: 'readOnly', roomId: '7', readOnly: null });

    ws.close();
    c.editMessage('7', 'a', 'fixed offline');
    await until(() => c.state.changes[0]?.status === 'failed', 'the REST refusal');
    expect(c.state.changes[0]?.error).toBe('a moderator made you read-only here.');
    expect(c.state.readOnly['7']).toMatchObject({ known: false });
  });

  it('counts a ban already gone as lifted', async () => {
    const { c } = await inRoom({ unban: () => Promise.reject(new ApiError(404, 'not_found', 'userId: no such ban')) });
    await expect(c.unban('7', '3')).resolves.toBeUndefined();
  });
});

describe('ChatController: private rooms, invitations and reports', () => {
  const PABLO = user('4', 'Pablo');
  const invitation = (id: string, roomId: string, roomName: string) => ({ id, roomId, roomName, user: ME, invitedBy: PABLO, date: 5 });
  const reportView = (id: string, date: number) => ({
    id,
    roomId: '7',
    messageId: `m${id}`,
    reporter: user('2', 'Joe'),
    author: user('3', 'Mary'),
    excerpt: 'buy watches',
    reason: 'spam',
    date,
    status: 'open' as const,
  });

  /** The user with General and # Rustaceans (7, `role` there), connected; `extra` replaces Api methods. */
  async function connected(extra: Partial<Api> = {}, role: Role = 'member') {
    const server: FakeServer = {
      rooms: [summary('0', 'General'), summary('7', 'Rustaceans', { role, visibility: 'private' })],
      history: {},
      calls: [],
    };
    const api = { ...fakeApi(server), ...extra } as Api;
    const c = setup(server, { api });
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.roomsLoaded && c.state.invitesLoaded, 'the room list and the invitations');
    return { c, ws, server };
  }

  it('loads the invitations at start and after a reconnect, and follows them live', async () => {
    let calls = 0;
    let listed = [invitation('i1', '9', 'Secret')];
    const { c, ws } = await connected({ myInvites: () => (calls++, Promise.resolve(listed)) });
    expect(c.state.invites.map((i) => i.roomName)).toEqual(['Secret']);
    expect(c.state.users['4']?.username).toBe('Pablo');

    ws.push('invite.received', { id: 'i2', roomId: '10', roomName: 'Crabs', userId: '1', invitedBy: PABLO, date: 6 });
    ws.push('invite.received', { id: 'i3', roomId: '11', roomName: 'Not mine', userId: '99', invitedBy: PABLO, date: 7 });
    ws.push('invite.removed', { id: 'i1', roomId: '9', userId: '1', reason: 'revoked' });
    expect(c.state.invites.map((i) => i.id)).toEqual(['i2']);

    // Reconnected: the list is fetched again (what happened meanwhile came with no event).
    const before = calls;
    listed = [invitation('i4', '12', 'Later')];
    ws.close();
    await until(() => FakeSocket.all.length === 2, 'a new socket');
    FakeSocket.all[1]!.accept(ME);
    await until(() => c.state.invites[0]?.id === 'i4', 'the invitations again');
    expect(calls).toBeGreaterThan(before);
  });

  it('accepts an invitation: it leaves the list and its room opens', async () => {
    const rooms = [summary('0', 'General'), summary('7', 'Rustaceans', { visibility: 'private' })];
    const { c } = await connected({
      myInvites: () => Promise.resolve([invitation('i1', '9', 'Secret')]),
      acceptInvite: () => {
        rooms.push(summary('9', 'Secret', { visibility: 'private' }));
        return Promise.resolve({ id: '9', name: 'Secret' });
      },
      rooms: () => Promise.resolve(rooms),
    });
    await c.acceptInvite('i1');
    expect(c.state.invites).toEqual([]);
    expect(c.state.activeRoomId).toBe('9');
    await until(() => c.state.rooms['9']?.visibility === 'private', 'the room from the list');
    expect(c.state.activeRoomId).toBe('9');
  });

  it('drops an invitation that is no longer valid, saying so', async () => {
    const gone = () => Promise.reject(new ApiError(404, 'not_found', 'id: no such invitation'));
    const { c } = await connected({ myInvites: () => Promise.resolve([invitation('i1', '9', 'Secret')]), acceptInvite: gone });
    await expect(c.acceptInvite('i1')).rejects.toMatchObject({ status: 404 });
    expect(c.state.invites).toEqual([]);
    expect(c.state.notice).toBe('This invitation is no longer valid.');
  });

  it('throws a ban for the list to show, and keeps the invitation', async () => {
    const banned = () => Promise.reject(new ApiError(403, 'banned', 'id: you are banned from this room'));
    const { c } = await connected({ myInvites: () => Promise.resolve([invitation('i2', '9', 'Secret')]), acceptInvite: banned });
    await expect(c.acceptInvite('i2')).rejects.toMatchObject({ error: 'banned' });
    expect(c.state.invites).toHaveLength(1);
    expect(c.state.rooms['9']).toBeUndefined();
  });

  it('declines an invitation, one already gone too', async () => {
    const declined: string[] = [];
    const { c } = await connected({
      myInvites: () => Promise.resolve([invitation('i1', '9', 'A'), invitation('i2', '10', 'B')]),
      declineInvite: (id) => {
        declined.push(id);
        return id === 'i2' ? Promise.reject(new ApiError(404, 'not_found', 'id: no such invitation')) : Promise.resolve();
      },
    });
    await c.declineInvite('i1');
    await c.declineInvite('i2');
    expect(declined).toEqual(['i1', 'i2']);
    expect(c.state.invites).toEqual([]);
  });

  it('joins with an invite link and opens the room; a refused link is told as a notice', async () => {
    const tokens: string[] = [];
    const { c } = await connected({
      acceptInviteLink: (token) => {
        tokens.push(token);
        if (token === 'old') return Promise.reject(new ApiError(404, 'not_found', 'token: no such link'));
        if (token === 'banned') return Promise.reject(new ApiError(403, 'banned', 'id: you are banned from this room'));
        return Promise.resolve({ id: '9', name: 'Secret' });
      },
    });
    expect(await c.acceptInviteLink('good')).toBe(true);
    expect(c.state.activeRoomId).toBe('9');
    expect(c.state.rooms['9']?.name).toBe('Secret');

    expect(await c.acceptInviteLink('old')).toBe(false);
    expect(c.state.notice).toBe('This invite link no longer works: it has ended, was used up or was revoked.');
    expect(await c.acceptInviteLink('banned')).toBe(false);
    expect(c.state.notice).toBe('You are banned from this room.');
    expect(tokens).toEqual(['good', 'old', 'banned']);
  });

  it('follows room.updated, and changes the visibility over REST', async () => {
    const changes: string[] = [];
    const { c, ws } = await connected(
      {
        updateRoom: (roomId, change) => {
          changes.push(`${roomId}=${change.visibility}`);
          return Promise.resolve(summary('7', 'Rustaceans', { role: 'admin', visibility: change.visibility ?? undefined }));
        },
      },
      'admin',
    );
    expect(c.state.rooms['7']?.visibility).toBe('private');
    ws.push('room.updated', { roomId: '7', name: 'Rustaceans', visibility: 'public' });
    expect(c.state.rooms['7']?.visibility).toBe('public');
    await c.setVisibility('7', 'private');
    expect(changes).toEqual(['7=private']);
    expect(c.state.rooms['7']?.visibility).toBe('private');
  });

  it('reports a message and says so; tells the reporter when it was reviewed, never by whom', async () => {
    const reported: string[] = [];
    const { c, ws } = await connected({
      reportMessage: (roomId, messageId, reason) => {
        reported.push(`${roomId}/${messageId}: ${reason}`);
        return Promise.resolve({ ...reportView('r1', 5), reporter: ME });
      },
    });
    await c.reportMessage('7', 'm1', 'spam');
    expect(reported).toEqual(['7/m1: spam']);
    expect(c.state.notice).toBe("Reported to the room's moderators.");
    c.dismissNotice();
    ws.push('report.updated', { userId: '1', id: 'r1', roomId: '7', messageId: 'm1', status: 'dismissed' });
    expect(c.state.notice).toBe('Your report was reviewed.');
  });

  it('keeps a moderator’s open reports: the first page of the open room, then live ones and closings', async () => {
    const asked: string[] = [];
    const { c, ws } = await connected(
      {
        reports: (roomId, opts = {}) => {
          asked.push(`${roomId}:${opts.status}`);
          return Promise.resolve([reportView('r1', 1)]);
        },
      },
      'moderator',
    );
    c.openRoom('7');
    await until(() => openReports(c.state, '7').loaded, 'the open reports');
    expect(asked).toEqual(['7:open']);
    expect(c.state.users['2']?.username).toBe('Joe');

    const seen: string[] = [];
    const stop = c.onReportEvent((e) => seen.push(e.type));
    ws.push('report.created', { userId: '1', id: 'r2', roomId: '7', messageId: 'm2', reporterId: '2', authorId: '3', excerpt: 'x', reason: 'rude', date: 2 });
    expect(openReports(c.state, '7').items.map((r) => r.id)).toEqual(['r2', 'r1']);
    // A moderator's copy of a closing names who closed it: no notice.
    ws.push('report.updated', { userId: '1', id: 'r1', roomId: '7', messageId: 'm1', status: 'resolved', handledBy: '5' });
    expect(openReports(c.state, '7').items.map((r) => r.id)).toEqual(['r2']);
    expect(c.state.notice).toBeNull();
    expect(seen).toEqual(['report.created', 'report.updated']);
    stop();
  });

  it('closes a report; one closed already by another moderator leaves the list too', async () => {
    const { c } = await connected(
      {
        reports: () => Promise.resolve([reportView('r1', 1), reportView('r2', 2)]),
        closeReport: (_roomId, reportId, status) =>
          reportId === 'r2'
            ? Promise.reject(new ApiError(409, 'already_closed', 'id: the report is closed'))
            : Promise.resolve({ ...reportView(reportId, 1), status, handledBy: ME, handledAt: 9 }),
      },
      'moderator',
    );
    c.openRoom('7');
    await until(() => openReports(c.state, '7').items.length === 2, 'the open reports');
    await expect(c.closeReport('7', 'r1', 'resolved')).resolves.toMatchObject({ status: 'resolved', handledBy: '1' });
    await expect(c.closeReport('7', 'r2', 'dismissed')).rejects.toMatchObject({ error: 'already_closed' });
    expect(openReports(c.state, '7').items).toEqual([]);
    // A page fetched before the closing does not bring them back.
    await c.reports('7', 'open');
    expect(openReports(c.state, '7').items).toEqual([]);
  });
});

describe('files attached in the composer', () => {
  /** One upload the test answers by hand. */
  interface Call {
    roomId: string;
    file: File;
    opts: UploadOptions;
    resolve(upload: Upload): void;
    reject(e: unknown): void;
  }

  /** Pablo in General and # Rustaceans (7, open), connected; every upload waits for the test. */
  async function inRoom() {
    const calls: Call[] = [];
    const server: FakeServer = { rooms: [summary('0', 'General'), summary('7', 'Rustaceans')], history: {}, calls: [] };
    const upload: Api['upload'] = (roomId, file, opts = {}) =>
      new Promise((resolve, reject) => {
        calls.push({ roomId, file, opts, resolve, reject });
        opts.signal?.addEventListener('abort', () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.')));
      });
    const c = setup(server, { api: { ...fakeApi(server), upload } as Api });
    const ws = FakeSocket.all[0]!;
    ws.accept(ME);
    await until(() => c.state.roomsLoaded, 'the room list');
    c.openRoom('7');
    return { c, ws, calls };
  }

  const file = (name: string) => new File(['x'.repeat(100)], name, { type: 'image/png' });
  const stored = (id: string, name: string): Upload => ({ id, name, size: 90, contentType: 'image/png', width: 64, height: 48 });

  it('uploads each file at once and sends the finished ones with the message, by id', async () => {
    const { c, ws, calls } = await inRoom();
    c.attachFiles('7', [file('a.png'), file('b.png')]);
    expect(calls.map((x) => [x.roomId, x.file.name])).toEqual([
      ['7', 'a.png'],
      ['7', 'b.png'],
    ]);
    calls[0]!.opts.onProgress?.(50, 100);
    expect(uploadsFor(c.state, '7').map((u) => [u.name, u.status, u.progress])).toEqual([
      ['a.png', 'uploading', 50],
      ['b.png', 'uploading', 0],
    ]);

    // Nothing goes while a file is on its way.
    calls[0]!.resolve(stored('u1', 'a.png'));
    await tick();
    c.send('');
    expect(c.state.pending).toEqual([]);

    calls[1]!.resolve(stored('u2', 'b.png'));
    await tick();
    c.send('');
    const sent = ws.sent.filter((e) => e.type === 'message');
    expect(sent).toEqual([{ type: 'message', data: { roomId: '7', message: '', clientId: c.state.pending[0]?.clientId, attachments: ['u1', 'u2'] } }]);
    expect(uploadsFor(c.state, '7')).toEqual([]);
    expect(c.state.pending[0]?.attachments?.map((a) => a.id)).toEqual(['u1', 'u2']);
  });

  it('takes ten files per message and says what it left out', async () => {
    const { c, calls } = await inRoom();
    c.attachFiles('7', Array.from({ length: 12 }, (_, i) => file(`f${i}.png`)));
    expect(calls).toHaveLength(10);
    expect(c.state.notice).toBe('A message carries at most 10 files: 10 files added, 2 files not.');
  });

  it('cancels an upload, shows a refusal on its row, and tries a failed one again with the same file', async () => {
    const { c, calls } = await inRoom();
    c.attachFiles('7', [file('a.png'), file('big.bin')]);
    const [a, big] = uploadsFor(c.state, '7');
    c.removeUpload(a!.key);
    expect(calls[0]!.opts.signal?.aborted).toBe(true);
    expect(uploadsFor(c.state, '7').map((u) => u.name)).toEqual(['big.bin']);

    calls[1]!.reject(new ApiError(429, 'rate_limited', 'too many uploads; retry in 2 s', 2));
    await tick();
    expect(uploadsFor(c.state, '7')[0]).toMatchObject({ status: 'failed', error: 'Too many uploads at once.', retryable: true });
    c.retryUpload(big!.key);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.file.name).toBe('big.bin');
    expect(uploadsFor(c.state, '7')[0]).toMatchObject({ key: big!.key, status: 'uploading' });
  });

  it('cancels the uploads of a room the user leaves', async () => {
    const { c, ws, calls } = await inRoom();
    c.attachFiles('7', [file('a.png')]);
    ws.push('room.left', { roomId: '7', userId: ME.id, name: 'Rustaceans' });
    await until(() => calls[0]!.opts.signal?.aborted === true, 'the upload cancelled');
    expect(c.state.uploads).toEqual([]);
  });
});
