// The chat's state and every change to it, as one pure reducer plus selectors. Live events,
// fetched pages, sends and acknowledgements all end up here; the controller only decides
// when to fetch and what to send.

import type { Attachment, Invite, Message, MessagePage, Role, RoomKind, RoomSummary, User, Visibility } from '../api/types';
import { withInvite, withoutInvite } from './invites';
import { applyChange, compareMessages, laterMessage, mergeMessages, newestMessage, withReaction } from './messages';
import { NO_REPORTS, withoutReport, withReports, type OpenReports, type ReportItem } from './reports';
import { inForce, type ReadOnly } from './readonly';
import { isModerator } from './roles';
import { uploadsReducer, withoutSent, type PendingUpload, type UploadAction } from './uploads';

export type Connection = 'connecting' | 'online' | 'offline';

/**
 * Why a send failed: `rejected` is the server's final no (invalid text, not a member...),
 * `server` a server failure worth retrying, the others come from the transport.
 */
export type FailReason = 'timeout' | 'disconnected' | 'server' | 'rejected';

export interface PendingMessage {
  clientId: string;
  roomId: string;
  message: string;
  /** When it was first typed (ms); it is shown at this time until the server dates it. */
  createdAt: number;
  /** When the last attempt left (ms); the ack timeout counts from here. */
  sentAt: number;
  attempts: number;
  status: 'sending' | 'failed';
  reason?: FailReason;
  error?: string;
  /** The id of the message it answers. */
  replyTo?: string;
  /** The files it carries (uploaded already; sent by id). */
  attachments?: Attachment[];
}

/** A change to a message already sent: the `edit`, `delete` and `react` frames. */
export type Change = { kind: 'edit'; text: string } | { kind: 'delete' } | { kind: 'react'; emoji: string; add: boolean };

/** A change sent and not yet acknowledged, or refused (then shown on its message). */
export interface PendingChange {
  clientId: string;
  roomId: string;
  messageId: string;
  change: Change;
  /** When the last attempt left (ms); the ack timeout counts from here. */
  sentAt: number;
  attempts: number;
  status: 'sending' | 'failed';
  error?: string;
}

export interface RoomState {
  id: string;
  name: string;
  kind: RoomKind;
  /** The other user of a direct room. */
  peerId?: string;
  /** Confirmed messages known to this tab, sorted by date (then id), no duplicates. */
  messages: Message[];
  /** The newest page was fetched: `messages` is contiguous up to now from its start. */
  historyLoaded: boolean;
  /** Cursor of the next older page; null when there is none (or nothing was loaded). */
  olderCursor: string | null;
  unread: number;
  /** Of the unread messages, those that mention the user. */
  mentions: number;
  /** No notifications for this room; unread messages still count. */
  muted: boolean;
  /** The user's role in the room (`member` in direct rooms). */
  role: Role;
  /** A named room's visibility (absent for General and direct rooms). */
  visibility?: Visibility;
  lastMessage?: Message;
  /** Date of the newest message this tab has marked read. */
  readDate: number;
}

export interface TypingEntry {
  roomId: string;
  userId: string;
  username: string;
  /** ms timestamp after which the indicator goes away. */
  until: number;
}

export type View = 'rooms' | 'conversation';

export interface ChatState {
  me: User | null;
  rooms: Record<string, RoomState>;
  roomsLoaded: boolean;
  users: Record<string, User>;
  activeRoomId: string;
  /** Which pane a narrow screen shows. */
  view: View;
  pending: PendingMessage[];
  /** Edits, deletions and reactions in flight or refused. */
  changes: PendingChange[];
  /** Per room, the id of the message the next one sent there answers. */
  replyTargets: Record<string, string>;
  /**
   * Per message id, the `version` of the last `reaction.changed` applied: one with a lower
   * version came late (from another server instance) and is stale.
   */
  reactionVersions: Record<string, number>;
  connection: Connection;
  /** When the next reconnect attempt starts (ms), while offline. */
  reconnectAt: number | null;
  typing: TypingEntry[];
  /** A short message for the user about something that failed (joining, loading...). */
  notice: string | null;
  /** The user's pending invitations, oldest first. */
  invites: Invite[];
  /** `GET /api/invites` has answered once. */
  invitesLoaded: boolean;
  /** Per room the user moderates, its open reports as this tab knows them. */
  reports: Record<string, OpenReports>;
  /** Per room, the user made read-only there by a moderator (see `readOnlyIn`). */
  readOnly: Record<string, ReadOnly>;
  /** Files attached in the rooms' composers, not sent yet (see `state/uploads.ts`). */
  uploads: PendingUpload[];
}

export const GENERAL_ROOM_ID = '0';
export const TYPING_SHOW_MS = 4000;

export function initialState(): ChatState {
  return {
    me: null,
    rooms: {},
    roomsLoaded: false,
    users: {},
    activeRoomId: GENERAL_ROOM_ID,
    view: 'conversation',
    pending: [],
    changes: [],
    replyTargets: {},
    reactionVersions: {},
    connection: 'connecting',
    reconnectAt: null,
    typing: [],
    notice: null,
    invites: [],
    invitesLoaded: false,
    reports: {},
    readOnly: {},
    uploads: [],
  };
}

export type PageKind = 'latest' | 'older' | 'after';

export type Action =
  | { type: 'session'; user: User }
  | { type: 'roomsListed'; rooms: RoomSummary[] }
  | { type: 'roomUpserted'; room: RoomSummary; activate?: boolean }
  | { type: 'roomRemoved'; roomId: string }
  | { type: 'roomActivated'; roomId: string }
  | { type: 'viewChanged'; view: View }
  | { type: 'pageLoaded'; roomId: string; page: MessagePage; kind: PageKind }
  | { type: 'messageReceived'; message: Message; visible: boolean }
  /** A message goes out; the uploads it carries leave the composer. */
  | { type: 'sendStarted'; clientId: string; roomId: string; message: string; at: number; replyTo?: string; attachments?: Attachment[] }
  | { type: 'sendRetried'; clientId: string; at: number }
  | { type: 'sendFailed'; clientId: string; reason: FailReason; error?: string }
  | { type: 'ackReceived'; clientId?: string; message: Message }
  | { type: 'pendingDiscarded'; clientId: string }
  | { type: 'connectionChanged'; connection: Connection; reconnectAt?: number | null }
  | { type: 'readMarked'; roomId: string; date: number }
  | { type: 'roomRead'; roomId: string; date: number }
  | { type: 'usersSeen'; users: User[] }
  | { type: 'presence'; user: User }
  | { type: 'typingStarted'; roomId: string; userId: string; username: string; until: number }
  | { type: 'typingExpired'; now: number }
  | { type: 'notice'; text: string | null }
  /** An edit or a tombstone from the server; `keepReactions` for edit events, which carry none. */
  | { type: 'messageChanged'; message: Message; keepReactions?: boolean }
  | { type: 'reactionChanged'; roomId: string; messageId: string; emoji: string; count: number; userId: string; added: boolean; version: number }
  | { type: 'changeStarted'; clientId: string; roomId: string; messageId: string; change: Change; at: number }
  | { type: 'changeRetried'; clientId: string; at: number }
  /** The server's answer to a change: the message as it is now, as this user reads it. */
  | { type: 'changeDone'; clientId: string; message: Message }
  | { type: 'changeFailed'; clientId: string; error: string }
  | { type: 'changeDismissed'; clientId: string }
  | { type: 'replyStarted'; roomId: string; messageId: string }
  | { type: 'replyCancelled'; roomId: string }
  | { type: 'roomMuted'; roomId: string; muted: boolean }
  /** A member's role in a room changed (`member.role`); only the user's own is kept here. */
  | { type: 'memberRole'; roomId: string; userId: string; role: Role }
  /** A named room's settings changed (`room.updated`). */
  | { type: 'roomUpdated'; roomId: string; name: string; visibility: Visibility }
  /** The user's pending invitations, as `GET /api/invites` lists them. */
  | { type: 'invitesListed'; invites: Invite[] }
  | { type: 'inviteReceived'; invite: Invite }
  /** Accepted, declined (here or elsewhere) or revoked. */
  | { type: 'inviteRemoved'; id: string }
  /** Open reports of a room: a page from the server (`loaded`) or live ones. */
  | { type: 'reportsListed'; roomId: string; reports: ReportItem[]; loaded?: boolean }
  | { type: 'reportClosed'; roomId: string; reportId: string }
  /** After a reconnect: what was known of open reports may be stale; they are fetched again. */
  | { type: 'reportsReset' }
  /** The user was made read-only in a room (`member.muted` about them, a `muted` refusal), or it was lifted (null). */
  | { type: 'readOnly'; roomId: string; readOnly: ReadOnly | null }
  /** Forgets the read-only spells over at `now` (ms). */
  | { type: 'readOnlyExpired'; now: number }
  | UploadAction;

function emptyRoom(id: string, name: string, kind: RoomKind): RoomState {
  return {
    id,
    name,
    kind,
    messages: [],
    historyLoaded: false,
    olderCursor: null,
    unread: 0,
    mentions: 0,
    muted: false,
    role: 'member',
    readDate: 0,
  };
}

/** Applies one room summary from the server to what this tab knows of the room. */
function applySummary(room: RoomState | undefined, s: RoomSummary): RoomState {
  const base = room ?? emptyRoom(s.id, s.name, s.kind);
  // `?? undefined`, `?.`, `!= null` on the server's optional fields (here and for page
  // cursors): a server older than its spec sends `null` rather than leaving them out.
  const lastMessage = laterMessage(base.lastMessage, s.lastMessage ?? undefined);
  // The server's count can predate a read marker this tab has already sent.
  const readAll = base.readDate > 0 && base.readDate >= (lastMessage?.date ?? 0);
  return {
    ...base,
    name: s.name,
    kind: s.kind,
    peerId: s.peer?.id ?? base.peerId,
    lastMessage,
    unread: readAll ? 0 : Math.max(0, s.unread),
    mentions: readAll ? 0 : Math.max(0, s.mentions ?? 0),
    muted: s.muted ?? base.muted,
    role: s.role ?? base.role,
    visibility: s.visibility ?? base.visibility,
  };
}

function withUsers(users: Record<string, User>, list: readonly (User | null | undefined)[]): Record<string, User> {
  let next = users;
  for (const u of list) {
    if (!u) continue;
    const old = next[u.id];
    if (old && old.username === u.username && old.online === u.online) continue;
    if (next === users) next = { ...users };
    next[u.id] = u;
  }
  return next;
}

function setRoom(state: ChatState, room: RoomState): ChatState {
  return { ...state, rooms: { ...state.rooms, [room.id]: room } };
}

/** Where the room list says the user is read-only (the list is the truth: the rest is not). */
function readOnlyOf(rooms: readonly RoomSummary[]): Record<string, ReadOnly> {
  const out: Record<string, ReadOnly> = {};
  for (const r of rooms) {
    if (r.readOnlyUntil !== undefined) out[r.id] = { until: r.readOnlyUntil, known: true };
  }
  return out;
}

function mergeIntoRoom(room: RoomState, incoming: readonly Message[]): RoomState {
  const messages = mergeMessages(room.messages, incoming);
  const lastMessage = laterMessage(room.lastMessage, newestMessage(messages));
  if (messages === room.messages && lastMessage === room.lastMessage) return room;
  return { ...room, messages, lastMessage };
}

/** Unread messages (and, of those, mentions of the user) left after a read marker at `date`. */
function unreadAfter(room: RoomState, date: number, meId: string | undefined): { unread: number; mentions: number } {
  if ((room.lastMessage?.date ?? 0) <= date) return { unread: 0, mentions: 0 };
  if (!room.historyLoaded) return { unread: room.unread, mentions: room.mentions };
  const left = room.messages.filter((m) => m.date > date && m.from !== meId);
  const mentions = left.filter((m) => mentionsUser(m, meId)).length;
  return { unread: Math.min(room.unread, left.length), mentions: Math.min(room.mentions, mentions) };
}

/** Whether a message names this user (as the server found it). */
export function mentionsUser(m: Message, userId: string | undefined): boolean {
  return userId !== undefined && (m.mentions ?? []).includes(userId);
}

function updatePendingChange(state: ChatState, clientId: string, update: (c: PendingChange) => PendingChange | null): ChatState {
  const at = state.changes.findIndex((c) => c.clientId === clientId);
  const old = state.changes[at];
  if (!old) return state;
  const next = update(old);
  const changes = next ? state.changes.map((c, i) => (i === at ? next : c)) : state.changes.filter((_, i) => i !== at);
  return { ...state, changes };
}

/** Applies an edit or a tombstone to its room; a deleted message is no longer a reply target. */
function changeMessage(state: ChatState, m: Message, keepReactions: boolean): ChatState {
  const room = state.rooms[m.roomId];
  if (!room) return state;
  const messages = applyChange(room.messages, m, keepReactions);
  const lastMessage = room.lastMessage?.id === m.id ? applyChange([room.lastMessage], m, keepReactions)[0] : room.lastMessage;
  let next = messages === room.messages && lastMessage === room.lastMessage ? state : setRoom(state, { ...room, messages, lastMessage });
  if (m.deleted && next.replyTargets[m.roomId] === m.id) {
    const replyTargets = { ...next.replyTargets };
    delete replyTargets[m.roomId];
    next = { ...next, replyTargets };
  }
  return next;
}

export function chatReducer(state: ChatState, action: Action): ChatState {
  switch (action.type) {
    case 'session':
      return { ...state, me: action.user, users: withUsers(state.users, [action.user]) };

    case 'roomsListed': {
      const rooms: Record<string, RoomState> = {};
      for (const s of action.rooms) rooms[s.id] = applySummary(state.rooms[s.id], s);
      const activeRoomId = rooms[state.activeRoomId] ? state.activeRoomId : GENERAL_ROOM_ID;
      const pending = state.pending.filter((p) => rooms[p.roomId]);
      const uploads = state.uploads.filter((u) => rooms[u.roomId]);
      return {
        ...state,
        rooms,
        uploads: uploads.length === state.uploads.length ? state.uploads : uploads,
        readOnly: readOnlyOf(action.rooms),
        reports: reportsOfModerated(state.reports, rooms),
        roomsLoaded: true,
        activeRoomId,
        pending: pending.length === state.pending.length ? state.pending : pending,
        users: withUsers(state.users, action.rooms.map((r) => r.peer)),
      };
    }

    case 'roomUpserted': {
      const room = applySummary(state.rooms[action.room.id], action.room);
      const { [action.room.id]: _was, ...others } = state.readOnly;
      const readOnly = { ...others, ...readOnlyOf([action.room]) };
      const next = setRoom({ ...state, readOnly, users: withUsers(state.users, [action.room.peer]) }, room);
      return action.activate ? { ...next, activeRoomId: room.id, view: 'conversation' } : next;
    }

    case 'roomRemoved': {
      if (!state.rooms[action.roomId]) return state;
      const rooms = { ...state.rooms };
      delete rooms[action.roomId];
      return {
        ...state,
        rooms,
        activeRoomId: state.activeRoomId === action.roomId ? GENERAL_ROOM_ID : state.activeRoomId,
        pending: state.pending.filter((p) => p.roomId !== action.roomId),
        uploads: state.uploads.filter((u) => u.roomId !== action.roomId),
        changes: state.changes.filter((c) => c.roomId !== action.roomId),
        replyTargets: withoutKey(state.replyTargets, action.roomId),
        typing: state.typing.filter((t) => t.roomId !== action.roomId),
        reports: withoutKey(state.reports, action.roomId),
        readOnly: withoutKey(state.readOnly, action.roomId),
      };
    }

    case 'roomActivated':
      return { ...state, activeRoomId: action.roomId, view: 'conversation' };

    case 'viewChanged':
      return state.view === action.view ? state : { ...state, view: action.view };

    case 'pageLoaded': {
      const room = state.rooms[action.roomId];
      if (!room) return state;
      const { page, kind } = action;
      let base = room;
      if (kind === 'latest' && !room.historyLoaded) {
        // Live messages older than a full newest page are not contiguous with it: drop them,
        // "load older" brings them back in order.
        const oldest = page.messages[0];
        const kept =
          page.before != null && oldest
            ? room.messages.filter((m) => compareMessages(m, oldest) >= 0)
            : room.messages;
        base = { ...room, messages: kept, historyLoaded: true, olderCursor: page.before ?? null };
      } else if (kind === 'older') {
        base = { ...room, olderCursor: page.before ?? null };
      }
      const merged = mergeIntoRoom(base, page.messages);
      return merged === room ? state : setRoom(state, merged);
    }

    case 'messageReceived': {
      const m = action.message;
      const room = state.rooms[m.roomId];
      if (!room) return state;
      const seen = room.lastMessage?.id === m.id || room.messages.some((x) => x.id === m.id);
      let next = mergeIntoRoom(room, [m]);
      if (!seen && !action.visible && m.from !== state.me?.id) {
        next = { ...next, unread: next.unread + 1, mentions: next.mentions + (mentionsUser(m, state.me?.id) ? 1 : 0) };
      }
      const typing = state.typing.filter((t) => !(t.roomId === m.roomId && t.userId === m.from));
      const s = next === room ? state : setRoom(state, next);
      return typing.length === state.typing.length ? s : { ...s, typing };
    }

    case 'sendStarted':
      return {
        ...state,
        pending: [
          ...state.pending,
          {
            clientId: action.clientId,
            roomId: action.roomId,
            message: action.message,
            createdAt: action.at,
            sentAt: action.at,
            attempts: 1,
            status: 'sending',
            replyTo: action.replyTo,
            ...(action.attachments?.length ? { attachments: action.attachments } : {}),
          },
        ],
        replyTargets: withoutKey(state.replyTargets, action.roomId),
        uploads: withoutSent(state.uploads, (action.attachments ?? []).map((a) => a.id)),
      };

    case 'sendRetried':
      return {
        ...state,
        pending: state.pending.map((p) =>
          p.clientId === action.clientId
            ? { ...p, status: 'sending', reason: undefined, error: undefined, attempts: p.attempts + 1, sentAt: action.at }
            : p,
        ),
      };

    case 'sendFailed': {
      let changed = false;
      const pending = state.pending.map((p) => {
        if (p.clientId !== action.clientId || p.status !== 'sending') return p;
        changed = true;
        return { ...p, status: 'failed' as const, reason: action.reason, error: action.error };
      });
      return changed ? { ...state, pending } : state;
    }

    case 'ackReceived': {
      const pending = action.clientId ? state.pending.filter((p) => p.clientId !== action.clientId) : state.pending;
      const room = state.rooms[action.message.roomId];
      let next: ChatState = pending.length === state.pending.length ? state : { ...state, pending };
      if (room) {
        const merged = mergeIntoRoom(room, [action.message]);
        if (merged !== room) next = setRoom(next, merged);
      }
      return next;
    }

    case 'pendingDiscarded':
      return { ...state, pending: state.pending.filter((p) => p.clientId !== action.clientId) };

    case 'connectionChanged': {
      let next: ChatState = { ...state, connection: action.connection, reconnectAt: action.reconnectAt ?? null };
      if (action.connection === 'offline' && state.connection !== 'offline') {
        // Nothing in flight on a closed socket will be acknowledged.
        next.pending = state.pending.map((p) =>
          p.status === 'sending' ? { ...p, status: 'failed' as const, reason: 'disconnected' as const } : p,
        );
        next.typing = [];
      }
      if (action.connection === 'online' && state.connection !== 'online') {
        // Live messages of rooms never opened may now have a gap: they are fetched afresh
        // when the room is opened.
        let rooms = state.rooms;
        for (const r of Object.values(state.rooms)) {
          if (!r.historyLoaded && r.messages.length) {
            if (rooms === state.rooms) rooms = { ...state.rooms };
            rooms[r.id] = { ...r, messages: [] };
          }
        }
        next = { ...next, rooms };
      }
      return next;
    }

    case 'readMarked': {
      const room = state.rooms[action.roomId];
      if (!room) return state;
      return setRoom(state, { ...room, unread: 0, mentions: 0, readDate: Math.max(room.readDate, action.date) });
    }

    case 'roomRead': {
      const room = state.rooms[action.roomId];
      if (!room) return state;
      const { unread, mentions } = unreadAfter(room, action.date, state.me?.id);
      const readDate = Math.max(room.readDate, action.date);
      if (unread === room.unread && mentions === room.mentions && readDate === room.readDate) return state;
      return setRoom(state, { ...room, unread, mentions, readDate });
    }

    case 'usersSeen': {
      const users = withUsers(state.users, action.users);
      return users === state.users ? state : { ...state, users };
    }

    case 'presence': {
      const users = withUsers(state.users, [action.user]);
      let me = state.me;
      if (me && me.id === action.user.id && action.user.online !== me.online) me = { ...me, online: action.user.online };
      return users === state.users && me === state.me ? state : { ...state, users, me };
    }

    case 'typingStarted': {
      if (action.userId === state.me?.id) return state;
      const others = state.typing.filter((t) => !(t.roomId === action.roomId && t.userId === action.userId));
      return {
        ...state,
        typing: [...others, { roomId: action.roomId, userId: action.userId, username: action.username, until: action.until }],
      };
    }

    case 'readOnly': {
      const old = state.readOnly[action.roomId];
      if (!action.readOnly) return old ? { ...state, readOnly: withoutKey(state.readOnly, action.roomId) } : state;
      if (old && old.until === action.readOnly.until && old.known === action.readOnly.known) return state;
      return { ...state, readOnly: { ...state.readOnly, [action.roomId]: action.readOnly } };
    }

    case 'readOnlyExpired': {
      const over = Object.keys(state.readOnly).filter((id) => !inForce(state.readOnly[id], action.now));
      if (over.length === 0) return state;
      const readOnly = { ...state.readOnly };
      for (const id of over) delete readOnly[id];
      return { ...state, readOnly };
    }

    case 'typingExpired': {
      const typing = state.typing.filter((t) => t.until > action.now);
      return typing.length === state.typing.length ? state : { ...state, typing };
    }

    case 'notice':
      return state.notice === action.text ? state : { ...state, notice: action.text };

    case 'messageChanged':
      return changeMessage(state, action.message, action.keepReactions ?? false);

    case 'reactionChanged': {
      const room = state.rooms[action.roomId];
      const target = room?.messages.find((m) => m.id === action.messageId);
      if (!room || !target || target.deleted) return state;
      if ((state.reactionVersions[action.messageId] ?? 0) >= action.version) return state;
      const reactionVersions = { ...state.reactionVersions, [action.messageId]: action.version };
      const mine = action.userId === state.me?.id ? action.added : undefined;
      const reactions = withReaction(target.reactions ?? [], action.emoji, action.count, mine, { userId: action.userId, added: action.added });
      const updated: Message = { ...target, reactions: reactions.length ? reactions : undefined };
      return setRoom({ ...state, reactionVersions }, { ...room, messages: room.messages.map((m) => (m === target ? updated : m)) });
    }

    case 'changeStarted':
      return {
        ...state,
        changes: [
          ...state.changes,
          {
            clientId: action.clientId,
            roomId: action.roomId,
            messageId: action.messageId,
            change: action.change,
            sentAt: action.at,
            attempts: 1,
            status: 'sending',
          },
        ],
      };

    case 'changeRetried':
      return updatePendingChange(state, action.clientId, (c) => ({
        ...c,
        status: 'sending',
        error: undefined,
        attempts: c.attempts + 1,
        sentAt: action.at,
      }));

    case 'changeDone':
      return changeMessage(
        updatePendingChange(state, action.clientId, () => null),
        action.message,
        false,
      );

    case 'changeFailed':
      return updatePendingChange(state, action.clientId, (c) =>
        c.status === 'sending' ? { ...c, status: 'failed', error: action.error } : c,
      );

    case 'changeDismissed':
      return updatePendingChange(state, action.clientId, () => null);

    case 'replyStarted': {
      const target = state.rooms[action.roomId]?.messages.find((m) => m.id === action.messageId);
      if (!target || target.deleted) return state;
      return { ...state, replyTargets: { ...state.replyTargets, [action.roomId]: action.messageId } };
    }

    case 'replyCancelled':
      return action.roomId in state.replyTargets ? { ...state, replyTargets: withoutKey(state.replyTargets, action.roomId) } : state;

    case 'roomMuted': {
      const room = state.rooms[action.roomId];
      if (!room || room.muted === action.muted) return state;
      return setRoom(state, { ...room, muted: action.muted });
    }

    case 'memberRole': {
      const room = state.rooms[action.roomId];
      if (!room || action.userId !== state.me?.id || room.role === action.role) return state;
      const next = setRoom(state, { ...room, role: action.role });
      // No longer a moderator: the room's reports are no longer the user's to see.
      return isModerator(action.role) ? next : { ...next, reports: withoutKey(next.reports, action.roomId) };
    }

    case 'roomUpdated': {
      const room = state.rooms[action.roomId];
      if (!room || (room.name === action.name && room.visibility === action.visibility)) return state;
      return setRoom(state, { ...room, name: action.name, visibility: action.visibility });
    }

    case 'invitesListed':
      return { ...state, invites: [...action.invites].sort((a, b) => a.date - b.date || (a.id < b.id ? -1 : 1)), invitesLoaded: true };

    case 'inviteReceived':
      return { ...state, invites: withInvite(state.invites, action.invite) };

    case 'inviteRemoved': {
      const invites = withoutInvite(state.invites, action.id);
      return invites.length === state.invites.length ? state : { ...state, invites };
    }

    case 'reportsListed': {
      const room = state.rooms[action.roomId];
      if (!room || !isModerator(room.role)) return state;
      const list = withReports(state.reports[action.roomId] ?? NO_REPORTS, action.reports, action.loaded);
      return { ...state, reports: { ...state.reports, [action.roomId]: list } };
    }

    case 'reportClosed': {
      const list = state.reports[action.roomId];
      if (!list) return state;
      const next = withoutReport(list, action.reportId);
      return next === list ? state : { ...state, reports: { ...state.reports, [action.roomId]: next } };
    }

    case 'reportsReset':
      return Object.keys(state.reports).length === 0 ? state : { ...state, reports: {} };

    case 'uploadStarted':
    case 'uploadProgress':
    case 'uploadDone':
    case 'uploadFailed':
    case 'uploadRemoved': {
      const uploads = uploadsReducer(state.uploads, action);
      return uploads === state.uploads ? state : { ...state, uploads };
    }
  }
}

/** The report lists of the rooms the user still moderates. */
function reportsOfModerated(reports: Record<string, OpenReports>, rooms: Record<string, RoomState>): Record<string, OpenReports> {
  let next = reports;
  for (const id of Object.keys(reports)) {
    const room = rooms[id];
    if (room && isModerator(room.role)) continue;
    if (next === reports) next = { ...reports };
    delete next[id];
  }
  return next;
}

function withoutKey<V>(record: Record<string, V>, key: string): Record<string, V> {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

// ---- selectors ----

/** A message `date` as a history cursor ("strictly newer than this"). */
export function dateCursor(date: number): string {
  return String(date);
}

export function roomActivity(room: RoomState): number {
  return room.lastMessage?.date ?? 0;
}

function byActivity(a: RoomState, b: RoomState): number {
  return roomActivity(b) - roomActivity(a) || a.name.localeCompare(b.name);
}

export interface RoomSections {
  general: RoomState | undefined;
  direct: RoomState[];
  named: RoomState[];
}

export function roomSections(state: ChatState): RoomSections {
  const all = Object.values(state.rooms);
  return {
    general: all.find((r) => r.kind === 'general'),
    direct: all.filter((r) => r.kind === 'direct').sort(byActivity),
    named: all.filter((r) => r.kind === 'named').sort(byActivity),
  };
}

export function totalUnread(state: ChatState): number {
  return Object.values(state.rooms).reduce((n, r) => n + r.unread, 0);
}

export function activeRoom(state: ChatState): RoomState | undefined {
  return state.rooms[state.activeRoomId];
}

/** The open reports this tab knows of in a room (none unless the user moderates it). */
export function openReports(state: ChatState, roomId: string): OpenReports {
  return state.reports[roomId] ?? NO_REPORTS;
}

/** The user's role in a room (`member` for a room this tab does not know). */
export function myRole(state: ChatState, roomId: string): Role {
  return state.rooms[roomId]?.role ?? 'member';
}

export function pendingFor(state: ChatState, roomId: string): PendingMessage[] {
  return state.pending.filter((p) => p.roomId === roomId);
}

/** The files attached in a room's composer, not sent yet. */
export function uploadsFor(state: ChatState, roomId: string): PendingUpload[] {
  return state.uploads.filter((u) => u.roomId === roomId);
}

/** Names of the users typing in a room right now, oldest first. */
export function typingNames(state: ChatState, roomId: string, now: number): string[] {
  return state.typing.filter((t) => t.roomId === roomId && t.until > now).map((t) => t.username);
}

export function typingLabel(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

export function onlineUsers(state: ChatState): User[] {
  return Object.values(state.users)
    .filter((u) => u.online && u.id !== state.me?.id)
    .sort((a, b) => a.username.localeCompare(b.username));
}

export function userName(state: ChatState, id: string): string {
  return state.users[id]?.username ?? `User ${id}`;
}

/** Ids of users shown (senders, authors of quoted messages, mentioned users) the client has no name for yet. */
export function missingUserIds(state: ChatState): string[] {
  const missing = new Set<string>();
  const need = (id: string | undefined) => {
    if (id && !state.users[id]) missing.add(id);
  };
  for (const r of Object.values(state.rooms)) {
    for (const m of r.messages) {
      need(m.from);
      need(m.replyTo?.from ?? undefined);
      for (const id of m.mentions ?? []) need(id);
      for (const reaction of m.reactions ?? []) for (const id of reaction.users ?? []) need(id);
    }
    need(r.lastMessage?.from);
  }
  return [...missing].sort();
}

/** The message the next one sent in this room answers, if any. */
export function replyTarget(state: ChatState, roomId: string): Message | undefined {
  const id = state.replyTargets[roomId];
  return id === undefined ? undefined : state.rooms[roomId]?.messages.find((m) => m.id === id);
}

/** Edits, deletions and reactions of this room in flight or refused. */
export function changesFor(state: ChatState, roomId: string): PendingChange[] {
  return state.changes.filter((c) => c.roomId === roomId);
}

/** Changes still waiting for an ack that were sent before `deadline` (ms). */
export function overdueChanges(state: ChatState, deadline: number): PendingChange[] {
  return state.changes.filter((c) => c.status === 'sending' && c.sentAt <= deadline);
}

/**
 * Whom `@` can complete in a room: the members this tab knows of. Everyone known for
 * General; the other user of a direct room; for a named room, who wrote, was quoted,
 * mentioned or is typing there. Never the user themselves; by name.
 */
export function mentionableUsers(state: ChatState, roomId: string): User[] {
  const room = state.rooms[roomId];
  if (!room) return [];
  let ids: Iterable<string>;
  if (room.kind === 'general') ids = Object.keys(state.users);
  else if (room.kind === 'direct') ids = room.peerId ? [room.peerId] : [];
  else {
    const seen = new Set<string>();
    for (const m of room.messages) {
      seen.add(m.from);
      if (m.replyTo?.from) seen.add(m.replyTo.from);
      for (const id of m.mentions ?? []) seen.add(id);
    }
    for (const t of state.typing) if (t.roomId === roomId) seen.add(t.userId);
    ids = seen;
  }
  const users: User[] = [];
  for (const id of ids) {
    const u = state.users[id];
    if (u && id !== state.me?.id) users.push(u);
  }
  return users.sort((a, b) => a.username.localeCompare(b.username));
}

export interface CatchUp {
  roomId: string;
  /** Fetch messages strictly newer than this; undefined: fetch the newest page. */
  after: string | undefined;
}

/** What to fetch after a reconnect: every room with loaded history, from its newest message. */
export function catchUpPlan(state: ChatState): CatchUp[] {
  return Object.values(state.rooms)
    .filter((r) => r.historyLoaded)
    .map((r) => {
      const newest = newestMessage(r.messages);
      return { roomId: r.id, after: newest ? dateCursor(newest.date) : undefined };
    });
}

/** The date to send in a `read` frame for this room, or null when it is already read. */
export function readTarget(state: ChatState, roomId: string): number | null {
  const room = state.rooms[roomId];
  if (!room) return null;
  const newest = laterMessage(newestMessage(room.messages), room.lastMessage);
  if (!newest) return null;
  if (newest.date > room.readDate || room.unread > 0) return Math.max(newest.date, room.readDate);
  return null;
}

/** The user's mute in a room, while it lasts at `nowMs`; null when they may write there. */
export function readOnlyIn(state: ChatState, roomId: string, nowMs: number): ReadOnly | null {
  const r = state.readOnly[roomId];
  return inForce(r, nowMs) ? r : null;
}

/** Sends that failed on the transport, to be sent again (same clientId) once reconnected. */
export function resendable(state: ChatState): PendingMessage[] {
  return state.pending.filter((p) => p.status === 'failed' && p.reason !== 'rejected');
}

/** Sends still waiting for an ack that were sent before `deadline` (ms). */
export function overdue(state: ChatState, deadline: number): PendingMessage[] {
  return state.pending.filter((p) => p.status === 'sending' && p.sentAt <= deadline);
}
