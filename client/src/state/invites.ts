// Private rooms and invitations as the client sees them (README, "Private rooms and
// invitations"): who may invite, the user's pending invitations kept live, invite links and
// the words the screens use for every refusal. The server decides; these only choose what
// to offer and how to say no.

import { isApiError } from '../api/client';
import type { Invite, InviteLink, User } from '../api/types';
import type { InviteReceived } from '../ws/events';

// ---- the user's pending invitations ----

/** The invitation an `invite.received` event tells of, as `GET /api/invites` lists it. */
export function inviteFromEvent(e: InviteReceived, me: User): Invite {
  return { id: e.id, roomId: e.roomId, roomName: e.roomName, user: me, invitedBy: e.invitedBy, date: e.date };
}

/** Adds (or replaces) an invitation; oldest first, as the server lists them. */
export function withInvite(list: readonly Invite[], invite: Invite): Invite[] {
  const others = list.filter((i) => i.id !== invite.id);
  return [...others, invite].sort((a, b) => a.date - b.date || (a.id < b.id ? -1 : 1));
}

export function withoutInvite(list: readonly Invite[], id: string): Invite[] {
  return list.filter((i) => i.id !== id);
}

/** "Invitations (2)": the sidebar section's title. */
export function invitationsTitle(count: number): string {
  return count > 0 ? `Invitations (${count})` : 'Invitations';
}

// ---- invite links ----

/** How long an invite link lasts, as offered when making one. */
export interface LinkDuration {
  label: string;
  secs: number;
}

export const LINK_DURATIONS: readonly LinkDuration[] = [
  { label: '1 hour', secs: 3_600 },
  { label: '1 day', secs: 86_400 },
  { label: '7 days', secs: 604_800 },
];

/** Most uses an invite link may allow. */
export const LINK_MAX_USES = 1_000;

/**
 * The "max uses" field read: `undefined` when empty (any number), the number when it is a
 * whole number from 1 to 1,000, `null` when it is not valid.
 */
export function parseMaxUses(text: string): number | undefined | null {
  const t = text.trim();
  if (!t) return undefined;
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= LINK_MAX_USES ? n : null;
}

/** The full address of an invite link (`url` is `/?invite=<token>`, on this origin). */
export function inviteLinkUrl(link: Pick<InviteLink, 'url' | 'token'>, origin: string): string {
  const path = link.url ?? (link.token ? `/?invite=${encodeURIComponent(link.token)}` : '');
  return path ? new URL(path, origin).toString() : '';
}

/** "3 uses of 10", "1 use". */
export function linkUses(link: Pick<InviteLink, 'uses' | 'maxUses'>): string {
  const used = `${link.uses} ${link.uses === 1 ? 'use' : 'uses'}`;
  return link.maxUses != null ? `${used} of ${link.maxUses}` : used;
}

/** The token of an invite link the page was opened with (`?invite=<token>`), if any. */
export function inviteTokenIn(search: string): string | null {
  const token = new URLSearchParams(search).get('invite')?.trim();
  return token ? token : null;
}

/** The page's address without its `invite` parameter (the rest of the query and the hash kept). */
export function withoutInviteParam(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('invite');
  return `${url.pathname}${url.search}${url.hash}`;
}

// ---- refusals, in words ----

function waitText(e: { retryAfter: number | null }): string {
  return e.retryAfter ? `try again in ${e.retryAfter} s` : 'try again in a moment';
}

/** What to tell a user whose invitation of `name` was refused. */
export function inviteErrorText(e: unknown, name: string): string {
  if (!isApiError(e)) return 'Could not invite them.';
  if (e.status === 0) return e.message;
  switch (e.error) {
    case 'already_member':
      return `${name} is already in this room.`;
    case 'banned':
      return `${name} is banned from this room: lift the ban first.`;
    case 'too_many_invites':
      return `${name} has too many pending invitations.`;
    case 'not_invitable':
      return 'This room takes no invitations.';
    case 'not_allowed':
      return 'Your role does not allow inviting to this room.';
    case 'not_member':
      return 'You are not in this room.';
    case 'not_found':
      return `There is no user called ${name}.`;
    case 'rate_limited':
      return `You are inviting too fast: ${waitText(e)}.`;
  }
  if (e.status === 404) return `There is no user called ${name}.`;
  if (e.status === 429) return `You are inviting too fast: ${waitText(e)}.`;
  return e.detail;
}

/** What to tell a user whose look-up of `name` found nobody (or failed). */
export function lookupErrorText(e: unknown, name: string): string {
  if (isApiError(e) && e.status === 404) return `There is no user called ${name}.`;
  if (isApiError(e) && e.status !== 0) return e.detail;
  return isApiError(e) ? e.message : 'Could not look the user up.';
}

/** What to tell a user whose invitation (`kind: 'invite'`) or invite link could not be accepted. */
export function acceptErrorText(e: unknown, kind: 'invite' | 'link'): string {
  if (!isApiError(e)) return 'Could not join the room.';
  if (e.status === 0) return e.message;
  if (e.error === 'banned' || e.status === 403) return 'You are banned from this room.';
  if (e.status === 404) {
    return kind === 'link'
      ? 'This invite link no longer works: it has ended, was used up or was revoked.'
      : 'This invitation is no longer valid.';
  }
  if (e.error === 'too_many_rooms') return 'You are in as many rooms as you may be: leave one first.';
  if (e.status === 429) return `You are joining rooms too fast: ${waitText(e)}.`;
  return e.detail;
}

/** What to tell a user whose invite link could not be made. */
export function linkErrorText(e: unknown): string {
  if (!isApiError(e)) return 'Could not make the link.';
  if (e.status === 0) return e.message;
  if (e.error === 'not_allowed') return 'Your role does not allow making links to this room.';
  if (e.status === 429) return `You are inviting too fast: ${waitText(e)}.`;
  return e.detail;
}
