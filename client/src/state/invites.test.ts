import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { Invite } from '../api/types';
import { user } from './fixtures';
import {
  acceptErrorText,
  inviteErrorText,
  inviteFromEvent,
  inviteLinkUrl,
  inviteTokenIn,
  invitationsTitle,
  LINK_DURATIONS,
  linkErrorText,
  linkUses,
  lookupErrorText,
  parseMaxUses,
  withInvite,
  withoutInvite,
  withoutInviteParam,
} from './invites';

const ME = user('3', 'mary');
const PABLO = user('1', 'Pablo');

const invite = (id: string, date: number, roomName = `Room ${id}`): Invite => ({
  id,
  roomId: id,
  roomName,
  user: ME,
  invitedBy: PABLO,
  date,
});

describe('the user’s pending invitations', () => {
  it('turn an invite.received event into the invitation GET /api/invites lists', () => {
    const e = { id: 'i1', roomId: '5', roomName: 'Rustaceans', userId: '3', invitedBy: PABLO, date: 12.5 };
    expect(inviteFromEvent(e, ME)).toEqual({ id: 'i1', roomId: '5', roomName: 'Rustaceans', user: ME, invitedBy: PABLO, date: 12.5 });
  });

  it('keep each invitation once, oldest first, and let one go by id', () => {
    let list = withInvite([], invite('b', 2));
    list = withInvite(list, invite('a', 1));
    list = withInvite(list, invite('b', 2, 'Renamed'));
    expect(list.map((i) => `${i.id}:${i.roomName}`)).toEqual(['a:Room a', 'b:Renamed']);
    expect(withoutInvite(list, 'a').map((i) => i.id)).toEqual(['b']);
    expect(withoutInvite(list, 'zzz')).toEqual(list);
  });

  it('count in the section’s title', () => {
    expect(invitationsTitle(0)).toBe('Invitations');
    expect(invitationsTitle(2)).toBe('Invitations (2)');
  });
});

describe('invite links', () => {
  it('last an hour, a day or a week', () => {
    expect(LINK_DURATIONS.map((d) => [d.label, d.secs])).toEqual([
      ['1 hour', 3_600],
      ['1 day', 86_400],
      ['7 days', 604_800],
    ]);
  });

  it('take an optional whole number of uses from 1 to 1,000', () => {
    expect(parseMaxUses('')).toBeUndefined();
    expect(parseMaxUses('  ')).toBeUndefined();
    expect(parseMaxUses('5')).toBe(5);
    expect(parseMaxUses(' 1000 ')).toBe(1000);
    for (const bad of ['0', '1001', '2.5', '-3', 'ten', '1e3']) expect(parseMaxUses(bad)).toBeNull();
  });

  it('are shown as a full address on this origin', () => {
    expect(inviteLinkUrl({ url: '/?invite=abc_DEF-1', token: 'abc_DEF-1' }, 'http://127.0.0.1:4000')).toBe(
      'http://127.0.0.1:4000/?invite=abc_DEF-1',
    );
    // Without `url`, the token makes the same address; without either, nothing.
    expect(inviteLinkUrl({ token: 'x y' }, 'https://chat.example')).toBe('https://chat.example/?invite=x%20y');
    expect(inviteLinkUrl({}, 'https://chat.example')).toBe('');
  });

  it('tell their uses, and their limit when they have one', () => {
    expect(linkUses({ uses: 0 })).toBe('0 uses');
    expect(linkUses({ uses: 1 })).toBe('1 use');
    expect(linkUses({ uses: 3, maxUses: 10 })).toBe('3 uses of 10');
  });

  it('are read from the page’s address, and taken out of it leaving the rest', () => {
    expect(inviteTokenIn('?invite=tok123')).toBe('tok123');
    expect(inviteTokenIn('?a=1&invite=tok%2B1')).toBe('tok+1');
    expect(inviteTokenIn('?invite=')).toBeNull();
    expect(inviteTokenIn('')).toBeNull();
    expect(withoutInviteParam('http://h:1/?invite=tok')).toBe('/');
    expect(withoutInviteParam('http://h:1/chat?a=1&invite=tok&b=2#x')).toBe('/chat?a=1&b=2#x');
  });
});

describe('refusals in words', () => {
  const err = (status: number, error: string, retryAfter: number | null = null) => new ApiError(status, error, `userId: ${error}`, retryAfter);

  it('say why an invitation was refused, naming the user', () => {
    expect(inviteErrorText(err(409, 'already_member'), 'joe')).toBe('joe is already in this room.');
    expect(inviteErrorText(err(409, 'banned'), 'joe')).toBe('joe is banned from this room: lift the ban first.');
    expect(inviteErrorText(err(409, 'too_many_invites'), 'joe')).toBe('joe has too many pending invitations.');
    expect(inviteErrorText(err(403, 'not_allowed'), 'joe')).toBe('Your role does not allow inviting to this room.');
    expect(inviteErrorText(err(404, 'not_found'), 'joe')).toBe('There is no user called joe.');
    expect(inviteErrorText(err(429, 'rate_limited', 12), 'joe')).toBe('You are inviting too fast: try again in 12 s.');
    expect(inviteErrorText(new ApiError(0, 'network', 'The server cannot be reached.'), 'joe')).toBe('The server cannot be reached.');
  });

  it('say that nobody has the name looked up', () => {
    expect(lookupErrorText(err(404, 'not_found'), 'ghost')).toBe('There is no user called ghost.');
    expect(lookupErrorText(new Error('boom'), 'ghost')).toBe('Could not look the user up.');
  });

  it('say why a link or an invitation did not let the user in', () => {
    expect(acceptErrorText(err(403, 'banned'), 'link')).toBe('You are banned from this room.');
    expect(acceptErrorText(err(404, 'not_found'), 'link')).toBe('This invite link no longer works: it has ended, was used up or was revoked.');
    expect(acceptErrorText(err(404, 'not_found'), 'invite')).toBe('This invitation is no longer valid.');
    expect(acceptErrorText(err(409, 'too_many_rooms'), 'invite')).toBe('You are in as many rooms as you may be: leave one first.');
    expect(acceptErrorText(err(429, 'rate_limited', 30), 'link')).toBe('You are joining rooms too fast: try again in 30 s.');
  });

  it('say why a link could not be made', () => {
    expect(linkErrorText(err(403, 'not_allowed'))).toBe('Your role does not allow making links to this room.');
    expect(linkErrorText(err(429, 'rate_limited'))).toBe('You are inviting too fast: try again in a moment.');
  });
});
