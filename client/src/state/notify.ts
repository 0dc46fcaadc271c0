// Which new messages deserve a browser notification, and what it says. The browser side
// (permission, `new Notification`) is in src/notifications.ts.

import type { Message } from '../api/types';
import { mentionsUser, userName, type ChatState } from './chat';
import { messageSummary } from './uploads';

/** A notification to show: `tag` groups those of one room, `roomId` opens on click. */
export interface Note {
  title: string;
  body: string;
  tag: string;
  roomId: string;
}

/** Longest text a notification shows. */
const BODY_CHARS = 140;

/**
 * The notification for a `message` event, or null: only while the page is hidden, only
 * for a message of someone else not seen before, in a direct room or mentioning the user,
 * and never for a muted room. Call it before the message is applied to the state.
 */
export function notificationFor(state: ChatState, m: Message, pageHidden: boolean): Note | null {
  const me = state.me?.id;
  if (!pageHidden || !me || m.from === me || m.deleted) return null;
  const room = state.rooms[m.roomId];
  if (room && (room.muted || room.lastMessage?.id === m.id || room.messages.some((x) => x.id === m.id))) return null;
  // A room not listed yet is a direct room just opened by the other user, or a named room
  // joined from another tab.
  const direct = room ? room.kind === 'direct' : m.roomId.includes(':');
  const mention = mentionsUser(m, me);
  if (!direct && !mention) return null;
  const sender = userName(state, m.from);
  const where = !room ? 'a room' : room.kind === 'named' ? `# ${room.name}` : room.name;
  const text = messageSummary(m);
  const chars = [...text];
  const body = chars.length > BODY_CHARS ? `${chars.slice(0, BODY_CHARS).join('')}…` : text;
  return {
    title: direct ? sender : `${sender} mentioned you in ${where}`,
    body,
    tag: `room-${m.roomId}`,
    roomId: m.roomId,
  };
}
