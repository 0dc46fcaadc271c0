// Room roles and moderation as the client sees them (README, "Roles and moderation"):
// who may do what to whom, and the words the screens use for it. The server decides; these
// only choose what to offer, so a refusal stays rare.

import type { AuditEntry, Role, RoomKind, Visibility } from '../api/types';
import { isApiError } from '../api/client';
import { seesReports } from './reports';

/** Highest first. */
export const ROLES: readonly Role[] = ['owner', 'admin', 'moderator', 'member'];

const RANK: Record<Role, number> = { member: 0, moderator: 1, admin: 2, owner: 3 };

export function rank(role: Role): number {
  return RANK[role] ?? 0;
}

/** "Owner", "Admin"… */
export function roleLabel(role: Role): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

/** Nobody acts on someone of equal or higher rank. */
export function canActOn(mine: Role, theirs: Role): boolean {
  return rank(mine) > rank(theirs);
}

/** Moderators and up: delete anyone's message, remove and ban members, list and lift bans. */
export function isModerator(role: Role): boolean {
  return rank(role) >= RANK.moderator;
}

/** Admins and up: read the audit log, give the moderator role. */
export function isAdmin(role: Role): boolean {
  return rank(role) >= RANK.admin;
}

/**
 * The roles one may give to someone of lower rank, highest first: those below one's own;
 * an owner may also make owners (handing over ownership). Members and moderators give none
 * (a moderator makes no one moderator: only admins and up give roles).
 */
export function assignableRoles(mine: Role): Role[] {
  if (mine === 'owner') return [...ROLES];
  if (mine === 'admin') return ['moderator', 'member'];
  return [];
}

/** The roles one may step down to: those below one's own. */
export function stepDownRoles(mine: Role): Role[] {
  return ROLES.filter((r) => rank(r) < rank(mine));
}

/**
 * The roles a role select offers for a member of rank `theirs`: their own, and the ones
 * `mine` may give them; empty when `mine` may not act on them.
 */
export function roleChoices(mine: Role, theirs: Role): Role[] {
  if (!canActOn(mine, theirs)) return [];
  const give = assignableRoles(mine);
  if (give.length === 0) return [];
  return ROLES.filter((r) => r === theirs || give.includes(r));
}

/** Whether the user may delete this message: their own, or anyone's as a moderator of the room. */
export function canDeleteMessage(myRole: Role, mine: boolean): boolean {
  return mine || isModerator(myRole);
}

/** Kicks and bans exist in named rooms only (everyone is in General; direct rooms have no roles). */
export function canRemoveMembers(kind: RoomKind): boolean {
  return kind === 'named';
}

/**
 * Mutes (read-only for a while) exist where there are roles: named rooms and General, not
 * direct rooms (`not_moderated`).
 */
export function canMuteMembers(kind: RoomKind): boolean {
  return kind !== 'direct';
}

/** Whether the user may make this member read-only (or lift it): a moderator and up, of higher rank, not themselves. */
export function canMute(kind: RoomKind, mine: Role, theirs: Role, self: boolean): boolean {
  return !self && canMuteMembers(kind) && isModerator(mine) && canActOn(mine, theirs);
}

/** Whether a room has a settings panel: every named room, and General for those above member. */
export function hasRoomSettings(kind: RoomKind, role: Role): boolean {
  return kind === 'named' || (kind === 'general' && rank(role) > RANK.member);
}

/**
 * Whether the user may invite to a room (users, or with a link): named rooms only; any
 * member of a public room, moderators and up in a private one.
 */
export function canInvite(kind: RoomKind, role: Role, visibility: Visibility | undefined): boolean {
  if (kind !== 'named') return false;
  return visibility === 'private' ? isModerator(role) : true;
}

/** Whether the user lists a room's pending invitations and links, and revokes anyone's: moderators and up. */
export function canManageInvites(kind: RoomKind, role: Role): boolean {
  return kind === 'named' && isModerator(role);
}

/** Whether the user makes a named room public or private: admins and up. */
export function canChangeVisibility(kind: RoomKind, role: Role): boolean {
  return kind === 'named' && isAdmin(role);
}

export type SettingsTab = 'members' | 'invite' | 'reports' | 'bans' | 'audit';

/**
 * The tabs of a room's settings panel the user's role opens: the members for all; inviting
 * for those who may invite (see `canInvite`); the reports and the bans for moderators and
 * up (bans in named rooms only: General has no kicks nor bans); the audit log for admins
 * and up.
 */
export function settingsTabs(kind: RoomKind, role: Role, visibility?: Visibility): SettingsTab[] {
  const tabs: SettingsTab[] = ['members'];
  if (canInvite(kind, role, visibility)) tabs.push('invite');
  if (seesReports(kind, isModerator(role))) tabs.push('reports');
  if (isModerator(role) && canRemoveMembers(kind)) tabs.push('bans');
  if (isAdmin(role)) tabs.push('audit');
  return tabs;
}

/** How long a ban lasts, as offered when banning; `secs` undefined: until lifted. */
export interface BanDuration {
  label: string;
  secs: number | undefined;
}

export const BAN_DURATIONS: readonly BanDuration[] = [
  { label: '1 hour', secs: 3_600 },
  { label: '1 day', secs: 86_400 },
  { label: '1 week', secs: 604_800 },
  { label: 'Forever', secs: undefined },
];

/** How long a mute lasts, as offered when muting. */
export interface MuteDuration {
  label: string;
  secs: number;
}

export const MUTE_DURATIONS: readonly MuteDuration[] = [
  { label: '10 minutes', secs: 600 },
  { label: '1 hour', secs: 3_600 },
  { label: '1 day', secs: 86_400 },
  { label: '1 week', secs: 604_800 },
];

/** Longest ban reason the server takes. */
export const BAN_REASON_MAX = 500;

/** The notice for a user the room's moderators removed (`room.left` with a reason). */
export function removalNotice(reason: 'kicked' | 'banned', roomName: string, banReason?: string): string {
  if (reason === 'kicked') return `You were removed from # ${roomName} by a moderator.`;
  const why = banReason?.trim();
  return why ? `You were banned from # ${roomName}. Reason: ${why}` : `You were banned from # ${roomName}.`;
}

/** What to tell a user whose join was refused. */
export function joinErrorText(e: unknown): string {
  if (isApiError(e) && e.error === 'banned') return 'You are banned from this room.';
  return isApiError(e) && e.status !== 0 ? e.detail : 'Could not join the room.';
}

/** What to tell a user whose attempt to leave was refused. */
export function leaveErrorText(e: unknown): string {
  if (isApiError(e) && e.error === 'last_owner') {
    return 'You are the last owner of this room: make another member owner before you leave.';
  }
  return isApiError(e) && e.status !== 0 ? e.detail : 'Could not leave the room.';
}

/** What to tell a moderator whose action was refused. */
export function moderationErrorText(e: unknown, fallback: string): string {
  if (!isApiError(e) || e.status === 0) return isApiError(e) ? e.message : fallback;
  switch (e.error) {
    case 'outranked':
      return 'Their role is not below yours.';
    case 'not_allowed':
      return 'Your role does not allow this.';
    case 'last_owner':
      return 'The room needs at least one owner: make another member owner first.';
    case 'not_moderated':
      return 'This room has no such moderation.';
    case 'not_member':
      return 'You are not in this room.';
    default:
      return e.detail;
  }
}

/** One audit log entry in words: "olga made adam admin", "olga banned adam: spam". */
export function auditLine(e: AuditEntry, nameOf: (id: string) => string): string {
  const actor = nameOf(e.actor);
  const target = nameOf(e.target);
  const detail = e.detail.trim();
  switch (e.action) {
    case 'role':
      if (e.actor === e.target) return `${actor} stepped down to ${detail}`;
      return `${actor} made ${target} ${detail}`;
    case 'kick':
      return `${actor} removed ${target}`;
    case 'ban':
      return detail ? `${actor} banned ${target}: ${detail}` : `${actor} banned ${target}`;
    case 'unban':
      return `${actor} lifted the ban on ${target}`;
    default:
      return `${actor} ${e.action} ${target}${detail ? `: ${detail}` : ''}`;
  }
}
