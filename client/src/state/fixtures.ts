// Builders for unit tests.

import type { Message, RoomSummary, User } from '../api/types';

export function msg(id: string, date: number, from = '1', roomId = '0', message = `m${id}`): Message {
  return { id, from, date, message, roomId };
}

export function user(id: string, username: string, online = true): User {
  return { id, username, online };
}

export function summary(id: string, name: string, extra: Partial<RoomSummary> = {}): RoomSummary {
  const kind = id === '0' ? 'general' : id.includes(':') ? 'direct' : 'named';
  return { id, name, kind, unread: 0, mentions: 0, muted: false, role: 'member', ...extra };
}
