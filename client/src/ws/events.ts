// The WebSocket protocol, both directions, mirroring `modules/core/src/protocol.rs`:
// JSON text frames `{"type": "...", "data": {...}}`. `events.test.ts` checks that the type
// names here are the ones listed there. The WebSocket is not in the OpenAPI document, so these
// shapes are kept by hand; the REST ones they carry (`Message`, `User`) are the generated schemas.

import type { Message, User } from '../api/types';

// ---- client → server ----

export interface SendMessage {
  roomId: string;
  message: string;
  clientId?: string;
  /** The id of the message (of the same room) this one answers. */
  replyTo?: string;
  /** Ids of the sender's uploads in this room to send with it (at most 10); `message` may then be empty. */
  attachments?: string[];
}

/** Replace the text of one's own message; answered by `ack` with the edited message. */
export interface EditMessage {
  roomId: string;
  messageId: string;
  message: string;
  clientId?: string;
}

/** Delete one's own message; answered by `ack` with its tombstone. */
export interface DeleteMessage {
  roomId: string;
  messageId: string;
  clientId?: string;
}

/** Add (`add: true`) or take back a reaction; answered by `ack` with the message. */
export interface React {
  roomId: string;
  messageId: string;
  emoji: string;
  add: boolean;
  clientId?: string;
}

export interface RoomRef {
  roomId: string;
}

export interface ReadMarker {
  roomId: string;
  date: number;
}

export type ClientEvent =
  | { type: 'message'; data: SendMessage }
  | { type: 'typing'; data: RoomRef }
  | { type: 'read'; data: ReadMarker }
  | { type: 'edit'; data: EditMessage }
  | { type: 'delete'; data: DeleteMessage }
  | { type: 'react'; data: React };

export const CLIENT_EVENT_TYPES = ['message', 'typing', 'read', 'edit', 'delete', 'react'] as const satisfies readonly ClientEvent['type'][];

// ---- server → client ----

export interface Ready {
  user: User;
  serverId: string;
}

export interface Ack {
  clientId?: string;
  message: Message;
}

export interface ErrorEvent {
  error: string;
  message: string;
  clientId?: string;
  /** With `rate_limited`: milliseconds until the server accepts the action again. */
  retryAfterMs?: number;
}

export interface ShowRoom {
  id: string;
  names: string[];
}

export interface RoomMembership {
  roomId: string;
  userId: string;
  name: string;
  /** On `room.left` when the user did not leave by themselves. */
  reason?: 'kicked' | 'banned';
}

/** A role in a named room (or General), highest first: owner, admin, moderator, member. */
export type Role = 'owner' | 'admin' | 'moderator' | 'member';

/** A member's role in a room changed. */
export interface MemberRole {
  roomId: string;
  userId: string;
  role: Role;
  /** Who changed it. */
  by: string;
}

/** An admin or owner changed a named room's settings. */
export interface RoomUpdated {
  roomId: string;
  name: string;
  visibility: 'public' | 'private';
}

/** The user was invited to a room. */
export interface InviteReceived {
  id: string;
  roomId: string;
  roomName: string;
  /** The invited user (always the receiving user). */
  userId: string;
  invitedBy: User;
  /** Unix seconds. */
  date: number;
}

/** A member reported a message of a room the user moderates (`userId`: the receiving user). */
export interface ReportCreated {
  userId: string;
  id: string;
  roomId: string;
  messageId: string;
  reporterId: string;
  authorId: string;
  /** The message's text when it was reported. */
  excerpt: string;
  reason: string;
  date: number;
}

/** A report was closed; `handledBy` only in the moderators' copy. */
export interface ReportUpdated {
  userId: string;
  id: string;
  roomId: string;
  messageId: string;
  status: 'resolved' | 'dismissed';
  handledBy?: string;
}

/** One of the user's pending invitations is gone. */
export interface InviteRemoved {
  id: string;
  roomId: string;
  userId: string;
  reason: 'accepted' | 'declined' | 'revoked';
}

/** A moderator (`by`) made `userId` read-only until `until` (unix seconds), or lifted it. */
export interface MemberMuted {
  roomId: string;
  userId: string;
  by: string;
  until?: number;
}

/** A moderator (`by`) removed or banned `userId` from a room. */
export interface MemberAction {
  roomId: string;
  userId: string;
  by: string;
  /** The ban's reason. */
  reason?: string;
}

export interface Typing {
  roomId: string;
  userId: string;
  username: string;
}

export interface RoomRead {
  roomId: string;
  userId: string;
  date: number;
}

/** Someone added or took back a reaction; `count` is the emoji's count after the change. */
export interface ReactionChanged {
  roomId: string;
  messageId: string;
  emoji: string;
  count: number;
  userId: string;
  added: boolean;
  /** Counts the message's reaction changes: a lower one than already seen is stale. */
  version: number;
}

/** The user muted or unmuted a room (on any tab or instance). */
export interface RoomMuted {
  roomId: string;
  userId: string;
  muted: boolean;
}

export type ServerEvent =
  | { type: 'ready'; data: Ready }
  | { type: 'message'; data: Message }
  | { type: 'ack'; data: Ack }
  | { type: 'error'; data: ErrorEvent }
  | { type: 'user.connected'; data: User }
  | { type: 'user.disconnected'; data: User }
  | { type: 'show.room'; data: ShowRoom }
  | { type: 'room.joined'; data: RoomMembership }
  | { type: 'room.left'; data: RoomMembership }
  | { type: 'typing'; data: Typing }
  | { type: 'room.read'; data: RoomRead }
  /** The edited message, without `reactions` (keep the ones known). */
  | { type: 'message.edited'; data: Message }
  /** The tombstone of a deleted message. */
  | { type: 'message.deleted'; data: Message }
  | { type: 'reaction.changed'; data: ReactionChanged }
  | { type: 'room.muted'; data: RoomMuted }
  | { type: 'member.role'; data: MemberRole }
  | { type: 'member.kicked'; data: MemberAction }
  | { type: 'member.banned'; data: MemberAction }
  | { type: 'member.muted'; data: MemberMuted }
  | { type: 'room.updated'; data: RoomUpdated }
  | { type: 'invite.received'; data: InviteReceived }
  | { type: 'invite.removed'; data: InviteRemoved }
  | { type: 'report.created'; data: ReportCreated }
  | { type: 'report.updated'; data: ReportUpdated };

export type ServerEventType = ServerEvent['type'];

export const SERVER_EVENT_TYPES = [
  'ready',
  'message',
  'ack',
  'error',
  'user.connected',
  'user.disconnected',
  'show.room',
  'room.joined',
  'room.left',
  'typing',
  'room.read',
  'message.edited',
  'message.deleted',
  'reaction.changed',
  'room.muted',
  'member.role',
  'member.kicked',
  'member.banned',
  'member.muted',
  'room.updated',
  'invite.received',
  'invite.removed',
  'report.created',
  'report.updated',
] as const satisfies readonly ServerEventType[];

// ---- parsing ----

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (o: Json, k: string) => typeof o[k] === 'string';
const num = (o: Json, k: string) => typeof o[k] === 'number' && Number.isFinite(o[k]);
const bool = (o: Json, k: string) => typeof o[k] === 'boolean';
const absent = (o: Json, k: string) => o[k] === undefined || o[k] === null;
const optStr = (o: Json, k: string) => absent(o, k) || typeof o[k] === 'string';
const optNum = (o: Json, k: string) => absent(o, k) || num(o, k);
const optBool = (o: Json, k: string) => absent(o, k) || bool(o, k);
const optList = (o: Json, k: string, item: (v: unknown) => boolean) =>
  absent(o, k) || (Array.isArray(o[k]) && (o[k] as unknown[]).every(item));

const isQuote = (v: unknown) => isObj(v) && str(v, 'id') && optStr(v, 'from') && optStr(v, 'message') && optBool(v, 'deleted');
const isReaction = (v: unknown) => isObj(v) && str(v, 'emoji') && num(v, 'count') && bool(v, 'mine');
const isAttachment = (v: unknown) =>
  isObj(v) && str(v, 'id') && str(v, 'name') && num(v, 'size') && str(v, 'contentType') && optNum(v, 'width') && optNum(v, 'height');

export function isMessage(v: unknown): v is Message {
  return (
    isObj(v) &&
    str(v, 'id') &&
    str(v, 'from') &&
    num(v, 'date') &&
    str(v, 'message') &&
    str(v, 'roomId') &&
    optNum(v, 'edited') &&
    optBool(v, 'deleted') &&
    optBool(v, 'moderated') &&
    (absent(v, 'replyTo') || isQuote(v.replyTo)) &&
    optList(v, 'mentions', (m) => typeof m === 'string') &&
    optList(v, 'reactions', isReaction) &&
    optList(v, 'attachments', isAttachment)
  );
}

export function isUser(v: unknown): v is User {
  return isObj(v) && str(v, 'id') && str(v, 'username') && typeof v.online === 'boolean';
}

// One shape check per type: a frame whose data does not fit is dropped like an unknown one,
// so the rest of the client can trust what it receives.
const checks: { [K in ServerEventType]: (d: Json) => boolean } = {
  ready: (d) => isUser(d.user) && str(d, 'serverId'),
  message: (d) => isMessage(d),
  ack: (d) => optStr(d, 'clientId') && isMessage(d.message),
  error: (d) => str(d, 'error') && str(d, 'message') && optStr(d, 'clientId'),
  'user.connected': (d) => isUser(d),
  'user.disconnected': (d) => isUser(d),
  'show.room': (d) => str(d, 'id') && Array.isArray(d.names),
  'room.joined': (d) => str(d, 'roomId') && str(d, 'userId'),
  'room.left': (d) => str(d, 'roomId') && str(d, 'userId') && (absent(d, 'reason') || d.reason === 'kicked' || d.reason === 'banned'),
  typing: (d) => str(d, 'roomId') && str(d, 'userId') && str(d, 'username'),
  'room.read': (d) => str(d, 'roomId') && num(d, 'date'),
  'message.edited': (d) => isMessage(d),
  'message.deleted': (d) => isMessage(d),
  'reaction.changed': (d) =>
    str(d, 'roomId') && str(d, 'messageId') && str(d, 'emoji') && num(d, 'count') && str(d, 'userId') && bool(d, 'added') && num(d, 'version'),
  'room.muted': (d) => str(d, 'roomId') && str(d, 'userId') && bool(d, 'muted'),
  'member.role': (d) =>
    str(d, 'roomId') && str(d, 'userId') && str(d, 'by') && ['owner', 'admin', 'moderator', 'member'].includes(d.role as string),
  'member.kicked': (d) => str(d, 'roomId') && str(d, 'userId') && str(d, 'by') && optStr(d, 'reason'),
  'member.banned': (d) => str(d, 'roomId') && str(d, 'userId') && str(d, 'by') && optStr(d, 'reason'),
  'member.muted': (d) => str(d, 'roomId') && str(d, 'userId') && str(d, 'by') && optNum(d, 'until'),
  'room.updated': (d) => str(d, 'roomId') && str(d, 'name') && (d.visibility === 'public' || d.visibility === 'private'),
  'invite.received': (d) =>
    str(d, 'id') && str(d, 'roomId') && str(d, 'roomName') && str(d, 'userId') && isUser(d.invitedBy) && num(d, 'date'),
  'report.created': (d) =>
    str(d, 'userId') && str(d, 'id') && str(d, 'roomId') && str(d, 'messageId') && str(d, 'reporterId') && str(d, 'authorId') &&
    str(d, 'excerpt') && str(d, 'reason') && num(d, 'date'),
  'report.updated': (d) =>
    str(d, 'userId') && str(d, 'id') && str(d, 'roomId') && str(d, 'messageId') && (d.status === 'resolved' || d.status === 'dismissed') &&
    optStr(d, 'handledBy'),
  'invite.removed': (d) =>
    str(d, 'id') && str(d, 'roomId') && str(d, 'userId') && ['accepted', 'declined', 'revoked'].includes(d.reason as string),
};

function isServerEventType(t: unknown): t is ServerEventType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(checks, t);
}

/** Parses one text frame; `null` for anything unknown or malformed (ignored by the client). */
export function parseServerEvent(raw: string): ServerEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObj(v) || !isServerEventType(v.type) || !isObj(v.data)) return null;
  if (!checks[v.type](v.data)) return null;
  // The check above has verified that `data` has the shape its `type` names; TypeScript
  // cannot relate the two through the lookup table, hence the cast.
  return { type: v.type, data: v.data } as unknown as ServerEvent;
}

export function encodeClientEvent(e: ClientEvent): string {
  return JSON.stringify(e);
}
