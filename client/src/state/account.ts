// Account settings (change password, sign out everywhere, delete the account): what is
// checked before asking the server, and where each of its refusals is shown.

import type { ApiError } from '../api/client';

/** The new password's length in characters, as the server's `PasswordChange.new` demands. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** What the sign-in screen says once a session is over: a problem, or news. */
export interface SignedOutMessage {
  /** Shown as an error (the session ended elsewhere, the server is unreachable). */
  notice?: string;
  /** Shown as a plain status (signed out everywhere, account deleted). */
  info?: string;
}

export const SIGNED_OUT_EVERYWHERE = 'You are signed out on every device.';
export const ACCOUNT_DELETED = 'Your account has been deleted.';

export interface PasswordForm {
  current: string;
  next: string;
  confirm: string;
}

export interface PasswordErrors {
  current?: string;
  next?: string;
  confirm?: string;
  form?: string;
}

export interface DeletionErrors {
  password?: string;
  form?: string;
}

type ErrorLike = Pick<ApiError, 'status' | 'error' | 'message' | 'field' | 'detail' | 'retryAfter'>;

/** Length in characters (code points), as the server counts. */
function chars(s: string): number {
  return Array.from(s).length;
}

function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const upper = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(upper) ? upper : `${upper}.`;
}

/** "30 seconds", "1 second", "5 minutes". */
export function waitText(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 90) return `${s} ${s === 1 ? 'second' : 'seconds'}`;
  const m = Math.ceil(s / 60);
  return `${m} minutes`;
}

/** Problems with the form before anything is sent; empty when it may go. */
export function checkPasswordChange(f: PasswordForm): PasswordErrors {
  const errors: PasswordErrors = {};
  if (!f.current) errors.current = 'Enter your current password.';
  const n = chars(f.next);
  if (!f.next) errors.next = 'Enter a new password.';
  else if (n < PASSWORD_MIN || n > PASSWORD_MAX) errors.next = `Use ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`;
  if (!errors.next && f.confirm !== f.next) errors.confirm = 'The two new passwords do not match.';
  return errors;
}

export function hasErrors(e: PasswordErrors | DeletionErrors): boolean {
  return Object.values(e).some(Boolean);
}

/** The first field (in the form's order) with an error, to move the focus to. */
export function firstPasswordError(e: PasswordErrors): keyof PasswordErrors | null {
  for (const k of ['current', 'next', 'confirm', 'form'] as const) if (e[k]) return k;
  return null;
}

/** Refusals every account request may get, for the whole form; null for the others. */
function common(e: ErrorLike): string | null {
  if (e.status === 0) return 'The server cannot be reached. Try again in a moment.';
  if (e.status === 429) {
    return e.retryAfter !== null
      ? `Too many wrong passwords. Try again in ${waitText(e.retryAfter)}.`
      : sentence(e.message) || 'Too many wrong passwords. Try again later.';
  }
  if (e.status === 503) return 'The server is busy. Try again in a moment.';
  if (e.status === 401) return 'Your session has ended. Please sign in again.';
  return null;
}

/** Where the server's refusal of a password change is shown. */
export function passwordChangeErrors(e: ErrorLike): PasswordErrors {
  const form = common(e);
  if (form) return { form };
  if (e.status === 403 || e.error === 'wrong_password') return { current: 'That is not your current password.' };
  if (e.status === 400) {
    const text = sentence(e.detail) || 'Check this field.';
    if (e.field === 'current') return { current: text };
    // The current password is checked here before sending, so a password the server
    // refuses is the new one ("password: 8 to 128 characters").
    if (e.field === 'new' || e.field === 'password' || e.error === 'invalid_password') return { next: text };
  }
  return { form: sentence(e.message) || 'Could not change the password.' };
}

/** Problems with the deletion form before anything is sent. */
export function checkDeletion(password: string): DeletionErrors {
  return password ? {} : { password: 'Enter your password to confirm.' };
}

/** Where the server's refusal of an account deletion is shown. */
export function deletionErrors(e: ErrorLike): DeletionErrors {
  const form = common(e);
  if (form) return { form };
  if (e.status === 403 || e.error === 'wrong_password') return { password: 'That is not your password.' };
  if (e.status === 400 && (e.field === 'password' || e.error === 'invalid_password')) {
    return { password: sentence(e.detail) || 'Check the password.' };
  }
  return { form: sentence(e.message) || 'Could not delete the account.' };
}

/** Why signing out everywhere failed, for the section. */
export function signOutEverywhereError(e: ErrorLike): string {
  return common(e) ?? (sentence(e.message) || 'Could not sign out everywhere.');
}
