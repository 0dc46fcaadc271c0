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
