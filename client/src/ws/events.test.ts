import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_EVENT_TYPES, encodeClientEvent, parseServerEvent, SERVER_EVENT_TYPES } from './events';

const protocolRs = fileURLToPath(new URL('../../../modules/core/src/protocol.rs', import.meta.url));

/** The frame types declared for `name` in protocol.rs's `events!` block (`"tag" => Variant(...)`). */
function rustTypes(source: string, name: string): string[] | null {
  const start = source.search(new RegExp(`pub\\s+enum\\s+${name}\\s*/`));
  if (start < 0) return null;
  const end = source.indexOf('\n}\n', start);
  const block = source.slice(start, end < 0 ? undefined : end);
  return [...block.matchAll(/"([^"]+)"\s*=>/g)].map((x) => x[1] ?? '');
}

describe.skipIf(!existsSync(protocolRs))('events.ts mirrors modules/core/src/protocol.rs', () => {
  const source = existsSync(protocolRs) ? readFileSync(protocolRs, 'utf8') : '';

  it('knows every server event type', () => {
    expect([...SERVER_EVENT_TYPES].sort()).toEqual(rustTypes(source, 'ServerEvent')?.sort());
  });

  it('knows every client event type', () => {
    expect([...CLIENT_EVENT_TYPES].sort()).toEqual(rustTypes(source, 'ClientEvent')?.sort());
  });
});

describe('parseServerEvent', () => {
  it('reads a message frame', () => {
    const e = parseServerEvent('{"type":"message","data":{"id":"m1","from":"2","date":1700000000.5,"message":"<b>hi</b>","roomId":"0"}}');
    expect(e).toEqual({ type: 'message', data: { id: 'm1', from: '2', date: 1700000000.5, message: '<b>hi</b>', roomId: '0' } });
  });

  it('reads an ack with and without clientId', () => {
    const m = { id: 'm1', from: '1', date: 1, message: 'x', roomId: '0' };
    expect(parseServerEvent(JSON.stringify({ type: 'ack', data: { clientId: 'c1', message: m } }))?.type).toBe('ack');
    expect(parseServerEvent(JSON.stringify({ type: 'ack', data: { message: m } }))?.type).toBe('ack');
  });

  it('ignores unknown types and malformed frames', () => {
    expect(parseServerEvent('{"type":"future.thing","data":{}}')).toBeNull();
    expect(parseServerEvent('not json')).toBeNull();
    expect(parseServerEvent('{"type":"message","data":{"id":1}}')).toBeNull();
    expect(parseServerEvent('{"type":"message"}')).toBeNull();
    expect(parseServerEvent('[1,2]')).toBeNull();
    expect(parseServerEvent('{"type":"toString","data":{}}')).toBeNull();
  });

  it('reads the fields a message may carry beside its text', () => {
    const m = {
      id: 'm2',
      from: '2',
      date: 2,
      message: 'hi @Pablo',
      roomId: '0',
      edited: 3.5,
      replyTo: { id: 'm1', from: '1', message: 'hello' },
      mentions: ['1'],
      reactions: [{ emoji: '👍', count: 2, mine: false }],
      attachments: [
        { id: 'a1', name: 'dot.png', size: 120, contentType: 'image/png', width: 64, height: 48 },
        { id: 'a2', name: 'notes.pdf', size: 900, contentType: 'application/pdf' },
      ],
    };
    expect(parseServerEvent(JSON.stringify({ type: 'message', data: m }))).toEqual({ type: 'message', data: m });
    const tombstone = { id: 'm1', from: '1', date: 1, message: '', roomId: '0', deleted: true };
    expect(parseServerEvent(JSON.stringify({ type: 'message.deleted', data: tombstone }))?.data).toEqual(tombstone);
    expect(parseServerEvent(JSON.stringify({ type: 'message.edited', data: { ...m, reactions: undefined } }))?.type).toBe('message.edited');
  });

  it('drops a message whose new fields do not fit', () => {
    const base = { id: 'm', from: '2', date: 2, message: 'x', roomId: '0' };
    for (const bad of [
      { edited: 'yesterday' },
      { replyTo: 'm1' },
      { mentions: [2] },
      { reactions: [{ emoji: '👍', count: '1', mine: false }] },
      { attachments: [{ id: 'a1', name: 'x.png', size: '1 KB', contentType: 'image/png' }] },
      { attachments: ['a1'] },
    ]) {
      expect(parseServerEvent(JSON.stringify({ type: 'message', data: { ...base, ...bad } }))).toBeNull();
    }
  });

  it('reads reaction and mute events', () => {
    const r = { roomId: '0', messageId: 'm1', emoji: '🎉', count: 1, userId: '2', added: true, version: 3 };
    expect(parseServerEvent(JSON.stringify({ type: 'reaction.changed', data: r }))).toEqual({ type: 'reaction.changed', data: r });
    expect(parseServerEvent('{"type":"room.muted","data":{"roomId":"7","userId":"1","muted":true}}')?.type).toBe('room.muted');
    expect(parseServerEvent('{"type":"room.muted","data":{"roomId":"7","userId":"1"}}')).toBeNull();
  });

  it('reads role, removal and ban events, the moderated mark and the reason of room.left', () => {
    const role = { roomId: '7', userId: '3', role: 'moderator', by: '1' };
    expect(parseServerEvent(JSON.stringify({ type: 'member.role', data: role }))).toEqual({ type: 'member.role', data: role });
    expect(parseServerEvent(JSON.stringify({ type: 'member.role', data: { ...role, role: 'king' } }))).toBeNull();
    const ban = { roomId: '7', userId: '3', by: '1', reason: 'spam' };
    expect(parseServerEvent(JSON.stringify({ type: 'member.banned', data: ban }))).toEqual({ type: 'member.banned', data: ban });
    expect(parseServerEvent('{"type":"member.kicked","data":{"roomId":"7","userId":"3","by":"1"}}')?.type).toBe('member.kicked');
    const left = { roomId: '7', userId: '3', name: 'Rustaceans', reason: 'banned' };
    expect(parseServerEvent(JSON.stringify({ type: 'room.left', data: left }))).toEqual({ type: 'room.left', data: left });
    const tombstone = { id: 'm1', from: '2', date: 1, message: '', roomId: '7', deleted: true, moderated: true };
    expect(parseServerEvent(JSON.stringify({ type: 'message.deleted', data: tombstone }))).toEqual({ type: 'message.deleted', data: tombstone });
  });

  it('reads presence, typing and read-marker events', () => {
    expect(parseServerEvent('{"type":"user.connected","data":{"id":"2","username":"Joe","online":true}}')?.type).toBe('user.connected');
    expect(parseServerEvent('{"type":"typing","data":{"roomId":"0","userId":"2","username":"Joe"}}')?.type).toBe('typing');
    expect(parseServerEvent('{"type":"room.read","data":{"roomId":"0","userId":"1","date":5}}')?.type).toBe('room.read');
  });
});

describe('encodeClientEvent', () => {
  it('writes the tagged frame the server expects', () => {
    expect(encodeClientEvent({ type: 'message', data: { roomId: '0', message: 'hi', clientId: 'c1' } })).toBe(
      '{"type":"message","data":{"roomId":"0","message":"hi","clientId":"c1"}}',
    );
  });

  it('writes the edit, delete and react frames', () => {
    expect(encodeClientEvent({ type: 'edit', data: { roomId: '0', messageId: 'm1', message: 'new', clientId: 'k1' } })).toBe(
      '{"type":"edit","data":{"roomId":"0","messageId":"m1","message":"new","clientId":"k1"}}',
    );
    expect(encodeClientEvent({ type: 'delete', data: { roomId: '0', messageId: 'm1' } })).toBe('{"type":"delete","data":{"roomId":"0","messageId":"m1"}}');
    expect(encodeClientEvent({ type: 'react', data: { roomId: '0', messageId: 'm1', emoji: '👍', add: false } })).toBe(
      '{"type":"react","data":{"roomId":"0","messageId":"m1","emoji":"👍","add":false}}',
    );
  });
});
