import { afterEach, describe, expect, it } from 'vitest';
import type { Api } from '../api/client';
import type { Message, MessagePage, RoomSummary, User } from '../api/types';
import { msg, summary, user } from '../state/fixtures';
import type { ClientEvent } from '../ws/events';
import { ChatController } from './ChatController';

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
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
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
      const page = all.slice(-limit);
      return reply(all.length > limit ? { messages: page, before: String(page[0]?.date) } : { messages: page });
    },
    markRead: () => reply(undefined),
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

function setup(server: FakeServer): ChatController {
  controller = new ChatController(
    {
      api: fakeApi(server),
      wsUrl: 'ws://test/ws',
      pageVisible: () => true,
      narrow: () => false,
      onSignedOut: () => undefined,
      socket: { delay: () => 10, createSocket: (u) => new FakeSocket(u) as unknown as WebSocket },
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
