// A thin fetch wrapper for the REST API: same origin, the session cookie included, JSON in
// and out, and every non-2xx answer turned into an `ApiError`. Uploads go through
// XMLHttpRequest instead, the one browser API that reports upload progress.

import type { operations } from './schema.gen';
import type {
  Account,
  AuditEntry,
  Ban,
  EnteredRoom,
  Invite,
  InviteLink,
  JoinablePage,
  LoginOk,
  Member,
  Message,
  MessagePage,
  Report,
  Role,
  RoomSummary,
  Upload,
  User,
  Verdict,
  Visibility,
} from './types';

// What the spec says an operation (by operationId) takes: its JSON body, its query.
type Body<Op extends keyof operations> =
  NonNullable<operations[Op]['requestBody']> extends { content: infer C } ? C[keyof C] : never;
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

/** A failed request: the server's `{error, message}`, or a made-up one for network trouble. */
export class ApiError extends Error {
  readonly status: number;
  readonly error: string;
  /** Seconds to wait before asking again, when the server says (`Retry-After`, with 429). */
  readonly retryAfter: number | null;

  constructor(status: number, error: string, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.error = error;
    this.retryAfter = retryAfter;
  }

  /** The field the server blames (`username: ...` → `username`), if any. */
  get field(): string | null {
    const m = /^([A-Za-z_]+):\s/.exec(this.message);
    return m?.[1] ?? null;
  }

  /** The sentence without its field prefix. */
  get detail(): string {
    const f = this.field;
    return f ? this.message.slice(f.length + 1).trim() : this.message;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await exchange<T>(method, path, body)).body;
}

/** The target of a `Link: <…>; rel="next"` header, if it names a page of `base`. */
function nextLink(res: Response, base: string): string | null {
  const link = res.headers.get('Link');
  const match = link ? /^<([^>]*)>;\s*rel="next"$/.exec(link.trim()) : null;
  const target = match?.[1];
  return target?.startsWith(`${base}?`) ? target : null;
}

/** One page of a list paged by `Link` headers, and the cursor of the next page (null on the last). */
export interface Paged<T> {
  items: T;
  next: string | null;
}

/** The `cursor` of the page a `Link: <…>; rel="next"` header names, if it names a page of `base`. */
function nextCursor(res: Response, base: string): string | null {
  const target = nextLink(res, base);
  if (!target) return null;
  return new URLSearchParams(target.slice(target.indexOf('?') + 1)).get('cursor') || null;
}

/** One page of a list that a `Link` header continues (members, bans). */
async function paged<T>(base: string, params: Record<string, string | number | undefined | null>): Promise<Paged<T>> {
  const { body, res } = await exchange<T>('GET', `${base}${query(params)}`);
  return { items: body, next: nextCursor(res, base) };
}

/** Every online user, following the pages (`Link` headers) of `GET /api/users/online`. */
async function onlineUsers(): Promise<User[]> {
  const base = '/api/users/online';
  const seen = new Map<string, User>();
  let path: string | null = `${base}${query({ limit: 1000 } satisfies Query<'onlineUsers'>)}`;
  // A bound on the pages: a server that kept answering "next" must not loop a tab forever.
  for (let pages = 0; path && pages < 100; pages++) {
    const { body, res }: { body: User[]; res: Response } = await exchange<User[]>('GET', path);
    for (const u of body) seen.set(u.id, u);
    path = nextLink(res, base);
  }
  return [...seen.values()];
}

/** `Retry-After` in seconds; the HTTP-date form is not used by this server. */
function retryAfter(header: string | null | undefined): number | null {
  const v = header?.trim();
  return v && /^\d+$/.test(v) ? Number(v) : null;
}

/** The body of an answer as JSON; `undefined` when it is empty or not JSON. */
function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `ApiError` of a non-2xx answer: the server's `{error, message}` when it sent one. */
function answerError(status: number, statusText: string, parsed: unknown, retryAfterHeader: string | null): ApiError {
  const wait = retryAfter(retryAfterHeader);
  if (isRecord(parsed) && typeof parsed.error === 'string') {
    const message = typeof parsed.message === 'string' ? parsed.message : parsed.error;
    return new ApiError(status, parsed.error, message, wait);
  }
  const code = status === 401 ? 'unauthorized' : `http_${status}`;
  return new ApiError(status, code, statusText || `Request failed (${status}).`, wait);
}

async function exchange<T>(method: string, path: string, body?: unknown): Promise<{ body: T; res: Response }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'include',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  if (res.status === 204) return { body: undefined as T, res };
  const parsed = parseJson(await res.text());
  if (!res.ok) throw answerError(res.status, res.statusText, parsed, res.headers.get('Retry-After'));
  return { body: parsed as T, res };
}

export interface UploadOptions {
  /** Called as the body goes out: bytes sent so far of `total`. */
  onProgress?(sent: number, total: number): void;
  /** Aborting it cancels the upload; the promise then rejects with an `ApiError` `aborted`. */
  signal?: AbortSignal;
}

/**
 * Sends one file to `POST /api/rooms/{id}/uploads` as `multipart/form-data` (field `file`,
 * with its name), with the session cookie like every other request. Resolves with the
 * stored upload; rejects with an `ApiError` (status 0 when the connection failed or the
 * upload was aborted).
 */
function uploadFile(roomId: string, file: File, opts: UploadOptions = {}): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const { signal, onProgress } = opts;
    if (signal?.aborted) {
      reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
      return;
    }
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', abort);
    xhr.open('POST', `/api/rooms/${enc(roomId)}/uploads`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    if (onProgress) {
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded, e.total);
      };
    }
    xhr.onload = () => {
      done();
      const parsed = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        if (isUpload(parsed)) resolve(parsed);
        else reject(new ApiError(xhr.status, 'invalid_answer', 'The server answered the upload with something unexpected.'));
      } else {
        reject(answerError(xhr.status, xhr.statusText, parsed, xhr.getResponseHeader('Retry-After')));
      }
    };
    xhr.onerror = () => {
      done();
      reject(new ApiError(0, 'network', 'The server cannot be reached.'));
    };
    xhr.onabort = () => {
      done();
      reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    };
    signal?.addEventListener('abort', abort);
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

function isUpload(v: unknown): v is Upload {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.name === 'string' &&
    typeof v.size === 'number' &&
    typeof v.contentType === 'string'
  );
}

function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
  register: (username: string, password: string) =>
    request<Account>('POST', '/api/auth/register', { username, password } satisfies Body<'register'>),
  login: (username: string, password: string) =>
    request<LoginOk>('POST', '/api/auth/login', { username, password } satisfies Body<'login'>),
  logout: () => request<void>('POST', '/api/auth/logout'),
  me: () => request<Account>('GET', '/api/auth/me'),
  /** Every other session of the account ends; this one goes on. */
  changePassword: (current: string, next: string) =>
    request<void>('POST', '/api/auth/password', { current, new: next } satisfies Body<'changePassword'>),
  /** Every session of the account ends, this one included (the cookie is cleared). */
  logoutAll: () => request<void>('POST', '/api/auth/logout-all'),
  /** Deletes the signed-in account; every session ends, the cookie is cleared. */
  deleteAccount: (password: string) => request<void>('DELETE', '/api/auth/me', { password } satisfies Body<'deleteAccount'>),

  rooms: () => request<RoomSummary[]>('GET', '/api/rooms'),
  discover: (q: string, offset = 0, limit = 20) =>
    request<JoinablePage>('GET', `/api/rooms/discover${query({ q, offset, limit } satisfies Query<'discoverRooms'>)}`),
  /** Creates a named room, public unless `visibility` says `private`. */
  createRoom: (name: string, visibility?: Visibility) =>
    request<RoomSummary>('POST', '/api/rooms', { name, visibility } satisfies Body<'createRoom'>),
  /** Makes a named room public or private (admins and up); answers the room as it is now. */
  updateRoom: (roomId: string, change: Body<'updateRoom'>) => request<RoomSummary>('PATCH', `/api/rooms/${enc(roomId)}`, change),
  direct: (userId: string) => request<RoomSummary>('POST', '/api/rooms/direct', { userId } satisfies Body<'openDirectRoom'>),
  join: (roomId: string) => request<RoomSummary>('POST', `/api/rooms/${enc(roomId)}/join`),
  leave: (roomId: string) => request<void>('POST', `/api/rooms/${enc(roomId)}/leave`),

  messages: (roomId: string, opts: Query<'listMessages'> = {}) =>
    request<MessagePage>('GET', `/api/rooms/${enc(roomId)}/messages${query(opts)}`),
  /**
   * Posts a message: text, attachments (ids of the user's uploads in the room, not sent
   * yet), or both. Beside attachments an empty text is left out, as the endpoint wants.
   */
  postMessage: (roomId: string, message: string, clientId?: string, replyTo?: string, attachments: string[] = []) =>
    request<Message>('POST', `/api/rooms/${enc(roomId)}/messages`, {
      message: message === '' && attachments.length > 0 ? undefined : message,
      clientId,
      replyTo,
      attachments: attachments.length > 0 ? attachments : undefined,
    } satisfies Body<'postMessage'>),
  /** Uploads a file to a room, to be sent in a message (`attachments`); see `UploadOptions`. */
  upload: uploadFile,
  markRead: (roomId: string, date: number) =>
    request<void>('POST', `/api/rooms/${enc(roomId)}/read`, { date } satisfies Body<'markRead'>),
  editMessage: (roomId: string, messageId: string, message: string) =>
    request<Message>('PATCH', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}`, { message } satisfies Body<'editMessage'>),
  deleteMessage: (roomId: string, messageId: string) =>
    request<Message>('DELETE', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}`),
  addReaction: (roomId: string, messageId: string, emoji: string) =>
    request<Message>('PUT', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}/reactions/${enc(emoji)}`),
  removeReaction: (roomId: string, messageId: string, emoji: string) =>
    request<Message>('DELETE', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}/reactions/${enc(emoji)}`),
  mute: (roomId: string) => request<void>('PUT', `/api/rooms/${enc(roomId)}/mute`),
  unmute: (roomId: string) => request<void>('DELETE', `/api/rooms/${enc(roomId)}/mute`),

  /** One page of a room's members with their roles; `next` is the `cursor` of the following page. */
  members: (roomId: string, opts: Query<'listMembers'> = {}) =>
    paged<Member[]>(`/api/rooms/${enc(roomId)}/members`, opts),
  setRole: (roomId: string, userId: string, role: Role) =>
    request<void>('PUT', `/api/rooms/${enc(roomId)}/members/${enc(userId)}/role`, { role } satisfies Body<'setMemberRole'>),
  /** Removes a member (they may join again). */
  kick: (roomId: string, userId: string) => request<void>('DELETE', `/api/rooms/${enc(roomId)}/members/${enc(userId)}`),
  /** Bans a user, member or not; `expiresInSecs` absent: until lifted. */
  ban: (roomId: string, userId: string, reason: string, expiresInSecs?: number) =>
    request<void>('PUT', `/api/rooms/${enc(roomId)}/bans/${enc(userId)}`, { reason, expiresInSecs } satisfies Body<'banUser'>),
  unban: (roomId: string, userId: string) => request<void>('DELETE', `/api/rooms/${enc(roomId)}/bans/${enc(userId)}`),
  /** Makes a member read-only for `expiresInSecs` (they read, but post, edit and react nothing). */
  muteMember: (roomId: string, userId: string, expiresInSecs: number) =>
    request<void>('PUT', `/api/rooms/${enc(roomId)}/mutes/${enc(userId)}`, { expiresInSecs } satisfies Body<'muteMember'>),
  /** Lifts a member's mute (404 when they are not muted). */
  unmuteMember: (roomId: string, userId: string) => request<void>('DELETE', `/api/rooms/${enc(roomId)}/mutes/${enc(userId)}`),
  /** One page of the bans in force (moderators and up). */
  bans: (roomId: string, opts: Query<'listBans'> = {}) => paged<Ban[]>(`/api/rooms/${enc(roomId)}/bans`, opts),
  /** The audit log, newest first (admins and up): entries older than `before` (an entry's id). */
  audit: (roomId: string, opts: Query<'roomAudit'> = {}) =>
    request<AuditEntry[]>('GET', `/api/rooms/${enc(roomId)}/audit${query(opts)}`),

  // ---- invitations ----

  /** Invites a user (by id) to a room: the new invitation (201) or the pending one (200). */
  invite: (roomId: string, userId: string) =>
    request<Invite>('POST', `/api/rooms/${enc(roomId)}/invites`, { userId } satisfies Body<'inviteUser'>),
  /** One page of a room's pending invitations (moderators and up). */
  roomInvites: (roomId: string, opts: Query<'listRoomInvites'> = {}) => paged<Invite[]>(`/api/rooms/${enc(roomId)}/invites`, opts),
  revokeInvite: (roomId: string, inviteId: string) => request<void>('DELETE', `/api/rooms/${enc(roomId)}/invites/${enc(inviteId)}`),
  /** The signed-in user's pending invitations, oldest first. */
  myInvites: () => request<Invite[]>('GET', '/api/invites'),
  /** Joins the invitation's room (`room.joined` follows). */
  acceptInvite: (inviteId: string) => request<EnteredRoom>('POST', `/api/invites/${enc(inviteId)}/accept`),
  declineInvite: (inviteId: string) => request<void>('POST', `/api/invites/${enc(inviteId)}/decline`),
  /** Makes an invite link; its `token` and `url` are in this answer only. */
  createInviteLink: (roomId: string, expiresInSecs?: number, maxUses?: number) =>
    request<InviteLink>('POST', `/api/rooms/${enc(roomId)}/invite-links`, { expiresInSecs, maxUses } satisfies Body<'createInviteLink'>),
  /** A room's invite links that hold, newest first, without their tokens (moderators and up). */
  inviteLinks: (roomId: string) => request<InviteLink[]>('GET', `/api/rooms/${enc(roomId)}/invite-links`),
  revokeInviteLink: (roomId: string, linkId: string) =>
    request<void>('DELETE', `/api/rooms/${enc(roomId)}/invite-links/${enc(linkId)}`),
  /** Joins the room of an invite link (`room.joined` follows). */
  acceptInviteLink: (token: string) => request<EnteredRoom>('POST', `/api/invite-links/${enc(token)}/accept`),

  // ---- reports ----

  /** Reports someone else's message to the room's moderators: the new report, or one's open report of it. */
  reportMessage: (roomId: string, messageId: string, reason: string) =>
    request<Report>('POST', `/api/rooms/${enc(roomId)}/messages/${enc(messageId)}/reports`, { reason } satisfies Body<'reportMessage'>),
  /** A room's open (or closed) reports, newest first, dated before `before` (moderators and up). */
  reports: (roomId: string, opts: Query<'listReports'> = {}) =>
    request<Report[]>('GET', `/api/rooms/${enc(roomId)}/reports${query(opts)}`),
  closeReport: (roomId: string, reportId: string, status: Verdict) =>
    request<Report>('PATCH', `/api/rooms/${enc(roomId)}/reports/${enc(reportId)}`, { status } satisfies Body<'closeReport'>),

  online: onlineUsers,
  users: (ids: string[]) => request<User[]>('GET', `/api/users${query({ ids: ids.join(',') } satisfies Query<'users'>)}`),
  /** The account with this name, ignoring case (404 when there is none). */
  lookupUser: (name: string) => request<User>('GET', `/api/users/lookup${query({ name } satisfies Query<'findUser'>)}`),
};

export type Api = typeof api;
