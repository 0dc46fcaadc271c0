import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import {
  checkDeletion,
  checkPasswordChange,
  deletionErrors,
  firstPasswordError,
  hasErrors,
  passwordChangeErrors,
  signOutEverywhereError,
  waitText,
} from './account';

describe('checkPasswordChange', () => {
  const ok = { current: 'old-password', next: 'new-password', confirm: 'new-password' };

  it('lets a complete form through', () => {
    expect(checkPasswordChange(ok)).toEqual({});
    expect(hasErrors(checkPasswordChange(ok))).toBe(false);
  });

  it('asks for every field', () => {
    const e = checkPasswordChange({ current: '', next: '', confirm: '' });
    expect(e.current).toMatch(/current password/);
    expect(e.next).toMatch(/new password/);
    expect(e.confirm).toBeUndefined();
    expect(firstPasswordError(e)).toBe('current');
  });

  it('holds the new password to 8 to 128 characters, counted as the server does', () => {
    expect(checkPasswordChange({ ...ok, next: 'short', confirm: 'short' }).next).toBe('Use 8 to 128 characters.');
    expect(checkPasswordChange({ ...ok, next: 'x'.repeat(129), confirm: 'x'.repeat(129) }).next).toBe('Use 8 to 128 characters.');
    expect(checkPasswordChange({ ...ok, next: 'x'.repeat(128), confirm: 'x'.repeat(128) })).toEqual({});
    // Eight emoji are eight characters (sixteen UTF-16 units).
    const emoji = '🔑'.repeat(8);
    expect(checkPasswordChange({ ...ok, next: emoji, confirm: emoji })).toEqual({});
    expect(checkPasswordChange({ ...ok, next: '🔑'.repeat(7), confirm: '🔑'.repeat(7) }).next).toBeDefined();
  });

  it('wants the confirmation to match the new password', () => {
    const e = checkPasswordChange({ ...ok, confirm: 'new-passwort' });
    expect(e).toEqual({ confirm: 'The two new passwords do not match.' });
    expect(firstPasswordError(e)).toBe('confirm');
  });
});

describe('passwordChangeErrors', () => {
  it('puts a wrong current password next to that field', () => {
    expect(passwordChangeErrors(new ApiError(403, 'wrong_password', "the password is not this account's"))).toEqual({
      current: 'That is not your current password.',
    });
  });

  it('puts a refused new password next to the new password field', () => {
    expect(passwordChangeErrors(new ApiError(400, 'invalid_password', 'password: 8 to 128 characters'))).toEqual({
      next: '8 to 128 characters.',
    });
    expect(passwordChangeErrors(new ApiError(400, 'invalid_request', 'new: expected a string'))).toEqual({ next: 'Expected a string.' });
    expect(passwordChangeErrors(new ApiError(400, 'invalid_request', 'current: expected a string'))).toEqual({ current: 'Expected a string.' });
  });

  it('says how long to wait when throttled, from Retry-After', () => {
    const e = new ApiError(429, 'too_many_attempts', 'too many wrong passwords; try again in 42 s', 42);
    expect(passwordChangeErrors(e)).toEqual({ form: 'Too many wrong passwords. Try again in 42 seconds.' });
    // Without the header, the server's sentence.
    expect(passwordChangeErrors(new ApiError(429, 'too_many_attempts', 'too many wrong passwords; try again in 42 s')).form).toBe(
      'Too many wrong passwords; try again in 42 s.',
    );
  });

  it('shows a busy server, network trouble and anything else for the whole form', () => {
    expect(passwordChangeErrors(new ApiError(503, 'busy', 'the server is busy; retry in a moment')).form).toMatch(/busy/);
    expect(passwordChangeErrors(new ApiError(0, 'network', 'x')).form).toMatch(/cannot be reached/);
    expect(passwordChangeErrors(new ApiError(415, 'unsupported_media_type', 'send the body as application/json')).form).toBe(
      'Send the body as application/json.',
    );
  });
});

describe('account deletion', () => {
  it('needs the password before asking', () => {
    expect(checkDeletion('')).toEqual({ password: 'Enter your password to confirm.' });
    expect(checkDeletion('secret-password')).toEqual({});
  });

  it('shows a wrong or malformed password next to the field, the rest for the form', () => {
    expect(deletionErrors(new ApiError(403, 'wrong_password', "the password is not this account's"))).toEqual({
      password: 'That is not your password.',
    });
    expect(deletionErrors(new ApiError(400, 'invalid_password', 'password: 1 to 1024 characters'))).toEqual({
      password: '1 to 1024 characters.',
    });
    expect(deletionErrors(new ApiError(429, 'too_many_attempts', 'x', 120))).toEqual({ form: 'Too many wrong passwords. Try again in 2 minutes.' });
    expect(deletionErrors(new ApiError(503, 'busy', 'x')).form).toMatch(/busy/);
  });
});

describe('signOutEverywhereError', () => {
  it('explains why signing out everywhere failed', () => {
    expect(signOutEverywhereError(new ApiError(0, 'network', 'x'))).toMatch(/cannot be reached/);
    expect(signOutEverywhereError(new ApiError(500, 'internal', 'internal error'))).toBe('Internal error.');
  });
});

describe('waitText', () => {
  it('counts seconds, then minutes', () => {
    expect(waitText(1)).toBe('1 second');
    expect(waitText(0)).toBe('1 second');
    expect(waitText(45)).toBe('45 seconds');
    expect(waitText(89)).toBe('89 seconds');
    expect(waitText(90)).toBe('2 minutes');
    expect(waitText(300)).toBe('5 minutes');
  });
});
