import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './client';

interface Sent {
  url: string;
  method: string;
  body: unknown;
}

/** Answers every fetch with `res`, and records what was asked. */
function answer(res: () => Response): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    sent.push({ url, method: init.method ?? 'GET', body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined });
    return Promise.resolve(res());
  });
  return sent;
}

/** Answers the fetches with `responses`, one each, in order. */
function answerEach(...responses: (() => Response)[]): Sent[] {
  let at = 0;
  return answer(() => {
    const next = responses[Math.min(at++, responses.length - 1)];
    if (!next) throw new Error('no answer');
    return next();
  });
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('account requests', () => {
  it('change the password with {current, new}', async () => {
    const sent = answer(() => new Response(null, { status: 204 }));
    await expect(api.changePassword('old-password', 'new-password')).resolves.toBeUndefined();
    expect(sent).toEqual([{ url: '/api/auth/password', method: 'POST', body: { current: 'old-password', new: 'new-password' } }]);
  });

  it('sign out everywhere, and delete the account with the password', async () => {
    const sent = answer(() => new Response(null, { status: 204 }));
    await api.logoutAll();
    await api.deleteAccount('secret-password');
    expect(sent).toEqual([
      { url: '/api/auth/logout-all', method: 'POST', body: undefined },
      { url: '/api/auth/me', method: 'DELETE', body: { password: 'secret-password' } },
    ]);
  });

  it('turn a refusal into an ApiError, with Retry-After when throttled', async () => {
    answer(() => json(403, { error: 'wrong_password', message: "the password is not this account's" }));
    const wrong = await api.deleteAccount('nope').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ApiError);
    expect(wrong).toMatchObject({ status: 403, error: 'wrong_password', retryAfter: null });

    answer(() => json(429, { error: 'too_many_attempts', message: 'too many wrong passwords; try again in 42 s' }, { 'Retry-After': '42' }));
    const limited = await api.changePassword('a', 'bbbbbbbb').catch((e: unknown) => e);
    expect(limited).toMatchObject({ status: 429, error: 'too_many_attempts', retryAfter: 42 });
  });
});

describe('roles and moderation requests', () => {
  const alice = { id: '2', username: 'alice', online: true };

  it('page the members by the cursor of the Link header', async () => {
    const sent = answer(() =>
      json(200, [{ user: alice, role: 'moderator' }], { Link: '</api/rooms/7/members?limit=50&cursor=AbC-1_x>; rel="next"' }),
    );
    const first = await api.members('7', { limit: 50 });
    expect(first).toEqual({ items: [{ user: alice, role: 'moderator' }], next: 'AbC-1_x' });
    expect(sent[0]).toMatchObject({ url: '/api/rooms/7/members?limit=50', method: 'GET' });

    answer(() => json(200, []));
    expect(await api.members('7', { limit: 50, cursor: 'AbC-1_x' })).toEqual({ items: [], next: null });
  });

  it('ignore a Link header naming another list', async () => {
    answer(() => json(200, [], { Link: '</api/rooms/8/bans?cursor=x>; rel="next"' }));
    expect((await api.bans('7')).next).toBeNull();
  });

  it('give a role, remove, ban (with and without an end) and lift a ban', async () => {
    const sent = answer(() => new Response(null, { status: 204 }));
    await api.setRole('7', '2', 'admin');
    await api.kick('7', '2');
    await api.ban('7', '2', 'spam', 3600);
    await api.ban('7', '3', '');
    await api.unban('7', '2');
    expect(sent).toEqual([
      { url: '/api/rooms/7/members/2/role', method: 'PUT', body: { role: 'admin' } },
      { url: '/api/rooms/7/members/2', method: 'DELETE', body: undefined },
      { url: '/api/rooms/7/bans/2', method: 'PUT', body: { reason: 'spam', expiresInSecs: 3600 } },
      { url: '/api/rooms/7/bans/3', method: 'PUT', body: { reason: '' } },
      { url: '/api/rooms/7/bans/2', method: 'DELETE', body: undefined },
    ]);
  });

  it('make a member read-only for a while, and lift it', async () => {
    const sent = answer(() => new Response(null, { status: 204 }));
    await api.muteMember('7', '2', 600);
    await api.unmuteMember('7', '2');
    expect(sent).toEqual([
      { url: '/api/rooms/7/mutes/2', method: 'PUT', body: { expiresInSecs: 600 } },
      { url: '/api/rooms/7/mutes/2', method: 'DELETE', body: undefined },
    ]);
    answer(() => json(409, { error: 'not_moderated', message: 'id: direct rooms have no moderators' }));
    await expect(api.muteMember('1:2', '2', 600)).rejects.toMatchObject({ status: 409, error: 'not_moderated' });
  });

  it('read the audit log before an entry', async () => {
    const entry = { id: 'e9', action: 'role', actor: '1', target: '2', detail: 'admin', date: 5 };
    const sent = answer(() => json(200, [entry]));
    expect(await api.audit('7', { limit: 50, before: 'e10' })).toEqual([entry]);
    expect(sent[0]?.url).toBe('/api/rooms/7/audit?limit=50&before=e10');
  });

  it('report the refusals with their codes', async () => {
    answer(() => json(409, { error: 'last_owner', message: 'role: the room needs an owner' }));
    await expect(api.setRole('7', '1', 'member')).rejects.toMatchObject({ status: 409, error: 'last_owner' });
    answer(() => json(403, { error: 'banned', message: 'id: you are banned from this room' }));
    await expect(api.join('7')).rejects.toMatchObject({ status: 403, error: 'banned', detail: 'you are banned from this room' });
  });
});

describe('private rooms, invitations and reports requests', () => {
  const mary = { id: '3', username: 'mary', online: false };
  const pablo = { id: '1', username: 'Pablo', online: true };
  const invite = { id: 'i1', roomId: '7', roomName: 'Rustaceans', user: mary, invitedBy: pablo, date: 5 };

  it('create a private room and change a room’s visibility', async () => {
    const room = { id: '7', name: 'Rustaceans', kind: 'named', unread: 0, mentions: 0, muted: false, role: 'owner', visibility: 'private' };
    const sent = answer(() => json(201, room));
    expect(await api.createRoom('Rustaceans', 'private')).toEqual(room);
    await api.createRoom('Open');
    await api.updateRoom('7', { visibility: 'public' });
    expect(sent).toEqual([
      { url: '/api/rooms', method: 'POST', body: { name: 'Rustaceans', visibility: 'private' } },
      { url: '/api/rooms', method: 'POST', body: { name: 'Open' } },
      { url: '/api/rooms/7', method: 'PATCH', body: { visibility: 'public' } },
    ]);
  });

  it('find a user by name, with the name in the query', async () => {
    const sent = answer(() => json(200, mary));
    expect(await api.lookupUser('mary ann&co')).toEqual(mary);
    expect(sent[0]).toMatchObject({ url: '/api/users/lookup?name=mary+ann%26co', method: 'GET' });
    answer(() => json(404, { error: 'not_found', message: 'name: no such user' }));
    await expect(api.lookupUser('ghost')).rejects.toMatchObject({ status: 404, error: 'not_found' });
  });

  it('invite, list, revoke, accept and decline invitations', async () => {
    let sent = answer(() => json(201, invite));
    expect(await api.invite('7', '3')).toEqual(invite);
    expect(sent[0]).toEqual({ url: '/api/rooms/7/invites', method: 'POST', body: { userId: '3' } });

    sent = answer(() => json(200, [invite], { Link: '</api/rooms/7/invites?limit=100&cursor=k2>; rel="next"' }));
    expect(await api.roomInvites('7', { limit: 100 })).toEqual({ items: [invite], next: 'k2' });
    expect(await api.myInvites()).toEqual([invite]);
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api/rooms/7/invites?limit=100', 'GET /api/invites']);

    const none = () => new Response(null, { status: 204 });
    sent = answerEach(() => json(200, { id: '7', name: 'Rustaceans' }), none);
    expect(await api.acceptInvite('i1')).toEqual({ id: '7', name: 'Rustaceans' });
    await api.declineInvite('i2');
    await api.revokeInvite('7', 'i3');
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /api/invites/i1/accept',
      'POST /api/invites/i2/decline',
      'DELETE /api/rooms/7/invites/i3',
    ]);
  });

  it('make, list, revoke and accept invite links; the token goes in the path, encoded', async () => {
    const link = { id: 'l1', token: 'tok', url: '/?invite=tok', roomId: '7', by: '1', date: 5, expiresAt: 3605, maxUses: 5, uses: 0 };
    let sent = answer(() => json(201, link));
    expect(await api.createInviteLink('7', 3600, 5)).toEqual(link);
    await api.createInviteLink('7', 86_400);
    expect(sent.map((s) => s.body)).toEqual([{ expiresInSecs: 3600, maxUses: 5 }, { expiresInSecs: 86_400 }]);

    sent = answerEach(
      () => json(200, [{ ...link, token: undefined, url: undefined }]),
      () => new Response(null, { status: 204 }),
      () => json(200, { id: '7', name: 'Rustaceans' }),
    );
    await api.inviteLinks('7');
    await api.revokeInviteLink('7', 'l1');
    expect(await api.acceptInviteLink('a/b?c')).toEqual({ id: '7', name: 'Rustaceans' });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/rooms/7/invite-links',
      'DELETE /api/rooms/7/invite-links/l1',
      'POST /api/invite-links/a%2Fb%3Fc/accept',
    ]);

    answer(() => json(404, { error: 'not_found', message: 'token: no such link (or it ended, was used up or revoked)' }));
    await expect(api.acceptInviteLink('old')).rejects.toMatchObject({ status: 404 });
    answer(() => json(403, { error: 'banned', message: 'id: you are banned from this room' }));
    await expect(api.acceptInviteLink('tok')).rejects.toMatchObject({ status: 403, error: 'banned' });
  });

  it('report a message, list the open and closed reports, and close one', async () => {
    const report = { id: 'r1', roomId: '7', messageId: 'm1', reporter: mary, author: pablo, excerpt: 'hi', reason: 'spam', date: 5, status: 'open' };
    let sent = answer(() => json(201, report));
    expect(await api.reportMessage('7', 'm1', 'spam')).toEqual(report);
    expect(sent[0]).toEqual({ url: '/api/rooms/7/messages/m1/reports', method: 'POST', body: { reason: 'spam' } });

    sent = answer(() => json(200, [report]));
    await api.reports('7', { status: 'open', limit: 50 });
    await api.reports('7', { status: 'closed', limit: 50, before: 1767225600.5 });
    expect(sent.map((s) => s.url)).toEqual([
      '/api/rooms/7/reports?status=open&limit=50',
      '/api/rooms/7/reports?status=closed&limit=50&before=1767225600.5',
    ]);

    sent = answer(() => json(200, { ...report, status: 'dismissed', handledBy: pablo, handledAt: 9 }));
    expect(await api.closeReport('7', 'r1', 'dismissed')).toMatchObject({ status: 'dismissed', handledBy: pablo });
    expect(sent[0]).toEqual({ url: '/api/rooms/7/reports/r1', method: 'PATCH', body: { status: 'dismissed' } });

    answer(() => json(409, { error: 'own_message', message: 'messageId: one does not report one’s own message' }));
    await expect(api.reportMessage('7', 'm2', 'spam')).rejects.toMatchObject({ status: 409, error: 'own_message' });
  });
});

describe('uploads', () => {
  /** A stand-in for XMLHttpRequest: records the request, and the test answers it. */
  class FakeXhr {
    static last: FakeXhr | null = null;
    method = '';
    url = '';
    headers: Record<string, string> = {};
    body: unknown = null;
    withCredentials = false;
    status = 0;
    statusText = '';
    responseText = '';
    responseHeaders: Record<string, string> = {};
    aborted = false;
    upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    constructor() {
      FakeXhr.last = this;
    }
    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(name: string, value: string) {
      this.headers[name] = value;
    }
    getResponseHeader(name: string) {
      return this.responseHeaders[name] ?? null;
    }
    send(body: unknown) {
      this.body = body;
    }
    abort() {
      this.aborted = true;
      this.onabort?.();
    }
    answer(status: number, body: unknown, headers: Record<string, string> = {}) {
      this.status = status;
      this.responseText = JSON.stringify(body);
      this.responseHeaders = headers;
      this.onload?.();
    }
  }

  const sent = () => {
    const xhr = FakeXhr.last;
    if (!xhr) throw new Error('no request');
    return xhr;
  };

  afterEach(() => {
    FakeXhr.last = null;
  });

  it('post the file as the form field `file`, with its name, reporting progress', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const progress: number[][] = [];
    const file = new File(['%PDF-1.4'], 'notes.pdf', { type: 'application/pdf' });
    const done = api.upload('room:7', file, { onProgress: (s, t) => progress.push([s, t]) });
    const xhr = sent();
    expect([xhr.method, xhr.url, xhr.withCredentials, xhr.headers]).toEqual(['POST', '/api/rooms/room%3A7/uploads', true, { Accept: 'application/json' }]);
    const form = xhr.body as FormData;
    expect((form.get('file') as File).name).toBe('notes.pdf');
    expect([...form.keys()]).toEqual(['file']);

    xhr.upload.onprogress?.({ lengthComputable: true, loaded: 4, total: 8 });
    expect(progress).toEqual([[4, 8]]);
    const upload = { id: 'u1', name: 'notes.pdf', size: 8, contentType: 'application/pdf' };
    xhr.answer(201, upload);
    await expect(done).resolves.toEqual(upload);
  });

  it("turn a refusal into an ApiError with the server's reason and Retry-After", async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const file = new File(['x'], 'a.png');
    const big = api.upload('7', file);
    sent().answer(413, { error: 'file_too_large', message: 'file: larger than the limit of 26214400 bytes' });
    await expect(big).rejects.toMatchObject({ status: 413, error: 'file_too_large', detail: 'larger than the limit of 26214400 bytes' });

    const limited = api.upload('7', file);
    sent().answer(429, { error: 'rate_limited', message: 'too many uploads; retry in 9 s' }, { 'Retry-After': '9' });
    await expect(limited).rejects.toMatchObject({ status: 429, error: 'rate_limited', retryAfter: 9 });

    const lost = api.upload('7', file);
    sent().onerror?.();
    await expect(lost).rejects.toMatchObject({ status: 0, error: 'network' });
  });

  it('post a message of files alone without its empty text', async () => {
    const reqs = answer(() => json(201, { id: 'm1', from: '1', date: 1, message: '', roomId: '7' }));
    await api.postMessage('7', '', 'c1', undefined, ['u1', 'u2']);
    await api.postMessage('7', 'hi', 'c2');
    expect(reqs.map((r) => r.body)).toEqual([
      { clientId: 'c1', attachments: ['u1', 'u2'] },
      { message: 'hi', clientId: 'c2' },
    ]);
  });

  it('abort with the signal', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const abort = new AbortController();
    const up = api.upload('7', new File(['x'], 'a.png'), { signal: abort.signal });
    abort.abort();
    expect(sent().aborted).toBe(true);
    await expect(up).rejects.toMatchObject({ status: 0, error: 'aborted' });
  });
});
