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
