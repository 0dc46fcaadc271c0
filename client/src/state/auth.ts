// Where a sign-in or registration error is shown: next to the field the server blames.

import type { ApiError } from '../api/client';

export interface FieldErrors {
  username?: string;
  password?: string;
  form?: string;
}

const fieldOfCode: Record<string, keyof FieldErrors> = {
  invalid_username: 'username',
  username_taken: 'username',
  invalid_password: 'password',
  invalid_credentials: 'password',
  too_many_attempts: 'form',
};

function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  return t[0]!.toUpperCase() + t.slice(1);
}

export function fieldErrors(e: Pick<ApiError, 'status' | 'error' | 'message' | 'field' | 'detail'>): FieldErrors {
  if (e.status === 0) return { form: 'The server cannot be reached. Try again in a moment.' };
  const byPrefix = e.field === 'username' || e.field === 'password' ? e.field : undefined;
  const where = byPrefix ?? fieldOfCode[e.error] ?? 'form';
  const text = sentence(byPrefix ? e.detail : e.message) || 'Something went wrong.';
  return { [where]: text };
}
