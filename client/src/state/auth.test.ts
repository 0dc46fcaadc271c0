import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { fieldErrors } from './auth';

describe('fieldErrors', () => {
  it('puts the error next to the field the message names', () => {
    expect(fieldErrors(new ApiError(400, 'invalid_username', 'username: must be 1 to 32 letters or digits'))).toEqual({
      username: 'Must be 1 to 32 letters or digits',
    });
    expect(fieldErrors(new ApiError(401, 'invalid_credentials', 'password: wrong name or password'))).toEqual({
      password: 'Wrong name or password',
    });
  });

  it('falls back to the error code when the message names no field', () => {
    expect(fieldErrors(new ApiError(409, 'username_taken', 'That name is taken.'))).toEqual({ username: 'That name is taken.' });
  });

  it('shows rate limiting and network trouble for the whole form', () => {
    expect(fieldErrors(new ApiError(429, 'too_many_attempts', 'Too many attempts, wait a minute.')).form).toMatch(/Too many/);
    expect(fieldErrors(new ApiError(0, 'network', 'x')).form).toMatch(/cannot be reached/);
  });
});
