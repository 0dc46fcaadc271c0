import { describe, expect, it } from 'vitest';
import type { Message } from '../api/types';
import { chatReducer, initialState, type Action, type ChatState } from './chat';
import { msg, summary, user } from './fixtures';
import { notificationFor } from './notify';

const ME = user('1', 'Pablo');
const JOE = user('2', 'Joe');

function signedIn(...actions: Action[]): ChatState {
  return [
    { type: 'session', user: ME } as Action,
    { type: 'roomsListed', rooms: [summary('0', 'General'), summary('1:2', 'Joe', { peer: JOE }), summary('7', 'Rustaceans')] } as Action,
    ...actions,
  ].reduce(chatReducer, initialState());
}

const mentioning = (roomId: string, mentions = ['1']): Message => ({ ...msg('m', 5, '2', roomId, 'hey @Pablo'), mentions });

describe('browser notifications', () => {
  it('notify of a direct message while the page is hidden', () => {
    expect(notificationFor(signedIn(), msg('d', 5, '2', '1:2', 'psst'), true)).toEqual({
      title: 'Joe',
      body: 'psst',
      tag: 'room-1:2',
      roomId: '1:2',
    });
  });

  it('name the files of a direct message without text', () => {
    const files: Message = { ...msg('f', 5, '2', '1:2', ''), attachments: [{ id: 'u1', name: 'plan.pdf', size: 900, contentType: 'application/pdf' }] };
    expect(notificationFor(signedIn(), files, true)?.body).toBe('📎 plan.pdf');
  });

  it('notify of a mention in a named room', () => {
    expect(notificationFor(signedIn(), mentioning('7'), true)).toMatchObject({
      title: 'Joe mentioned you in # Rustaceans',
      body: 'hey @Pablo',
      roomId: '7',
    });
  });

  it('stay quiet while the page is shown, for other messages, and for my own', () => {
    const s = signedIn();
    expect(notificationFor(s, msg('d', 5, '2', '1:2'), false)).toBeNull();
    expect(notificationFor(s, msg('g', 5, '2', '0'), true)).toBeNull();
    expect(notificationFor(s, mentioning('0', ['3']), true)).toBeNull();
    expect(notificationFor(s, msg('d', 5, '1', '1:2'), true)).toBeNull();
  });

  it('never notify for a muted room', () => {
    const s = signedIn({ type: 'roomMuted', roomId: '7', muted: true }, { type: 'roomMuted', roomId: '1:2', muted: true });
    expect(notificationFor(s, mentioning('7'), true)).toBeNull();
    expect(notificationFor(s, msg('d', 5, '2', '1:2'), true)).toBeNull();
  });

  it('notify once per message', () => {
    const m = msg('d', 5, '2', '1:2');
    const s = signedIn({ type: 'messageReceived', message: m, visible: false });
    expect(notificationFor(s, m, true)).toBeNull();
  });

  it('notify of the first message of a direct room not listed yet', () => {
    expect(notificationFor(signedIn(), msg('n', 5, '2', '1:9', 'hello'), true)).toMatchObject({ title: 'Joe', roomId: '1:9' });
  });
});
