import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_EVENT_TYPES, encodeClientEvent, parseServerEvent, SERVER_EVENT_TYPES } from './events';

const protocolRs = fileURLToPath(new URL('../../../modules/core/src/protocol.rs', import.meta.url));

/** The string list of `pub const TYPES` inside `impl <name>` of protocol.rs. */
function rustTypes(source: string, name: string): string[] | null {
  const m = new RegExp(`impl\\s+${name}\\s*\\{[^}]*?TYPES[^=]*=\\s*&\\[([^\\]]*)\\]`, 's').exec(source);
  if (!m?.[1]) return null;
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1] ?? '');
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
});
