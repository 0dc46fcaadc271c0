import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { AuditEntry, Role } from '../api/types';
import {
  assignableRoles,
  auditLine,
  BAN_DURATIONS,
  canActOn,
  canChangeVisibility,
  canMute,
  canMuteMembers,
  canDeleteMessage,
  canInvite,
  canManageInvites,
  hasRoomSettings,
  joinErrorText,
  leaveErrorText,
  moderationErrorText,
  MUTE_DURATIONS,
  removalNotice,
  roleChoices,
  ROLES,
  settingsTabs,
  stepDownRoles,
} from './roles';

describe('who may act on whom', () => {
  it('nobody acts on an equal or higher rank', () => {
    const table = ROLES.map((mine) => ROLES.map((theirs) => (canActOn(mine, theirs) ? 'x' : '.')).join(''));
    // Rows: owner, admin, moderator, member acting; columns: on owner, admin, moderator, member.
    expect(table).toEqual(['.xxx', '..xx', '...x', '....']);
  });

  it('gives roles below one’s own; an owner also makes owners; moderators and members give none', () => {
    expect(assignableRoles('owner')).toEqual(['owner', 'admin', 'moderator', 'member']);
    expect(assignableRoles('admin')).toEqual(['moderator', 'member']);
    expect(assignableRoles('moderator')).toEqual([]);
    expect(assignableRoles('member')).toEqual([]);
  });

  it('offers a member their own role and those one may give, only when one outranks them', () => {
    expect(roleChoices('owner', 'member')).toEqual(['owner', 'admin', 'moderator', 'member']);
    expect(roleChoices('admin', 'member')).toEqual(['moderator', 'member']);
    expect(roleChoices('admin', 'moderator')).toEqual(['moderator', 'member']);
    expect(roleChoices('admin', 'admin')).toEqual([]);
    expect(roleChoices('owner', 'owner')).toEqual([]);
    expect(roleChoices('moderator', 'member')).toEqual([]);
  });

  it('lets anyone step down to a lower role', () => {
    expect(stepDownRoles('owner')).toEqual(['admin', 'moderator', 'member']);
    expect(stepDownRoles('moderator')).toEqual(['member']);
    expect(stepDownRoles('member')).toEqual([]);
  });

  it('deletes one’s own messages, and anyone’s from moderator up', () => {
    const roles: Role[] = ['member', 'moderator', 'admin', 'owner'];
    expect(roles.map((r) => canDeleteMessage(r, false))).toEqual([false, true, true, true]);
    expect(roles.map((r) => canDeleteMessage(r, true))).toEqual([true, true, true, true]);
  });
});

describe('mutes', () => {
  it('are for moderators and up, over lower ranks, in named rooms and General, never oneself', () => {
    expect(canMuteMembers('named')).toBe(true);
    expect(canMuteMembers('general')).toBe(true);
    expect(canMuteMembers('direct')).toBe(false);
    expect(canMute('named', 'moderator', 'member', false)).toBe(true);
    expect(canMute('general', 'admin', 'moderator', false)).toBe(true);
    expect(canMute('named', 'moderator', 'moderator', false)).toBe(false);
    expect(canMute('named', 'member', 'member', false)).toBe(false);
    expect(canMute('named', 'owner', 'member', true)).toBe(false);
    expect(canMute('direct', 'owner', 'member', false)).toBe(false);
  });

  it('last 10 minutes to a week, within what the server takes', () => {
    expect(MUTE_DURATIONS.map((d) => d.label)).toEqual(['10 minutes', '1 hour', '1 day', '1 week']);
    for (const d of MUTE_DURATIONS) expect(d.secs >= 1 && d.secs <= 2_592_000).toBe(true);
  });
});

describe('the settings panel', () => {
  it('opens for named rooms, and for General only above member', () => {
    expect(hasRoomSettings('named', 'member')).toBe(true);
    expect(hasRoomSettings('general', 'member')).toBe(false);
    expect(hasRoomSettings('general', 'moderator')).toBe(true);
    expect(hasRoomSettings('direct', 'member')).toBe(false);
  });

  it('shows inviting to whoever may invite, reports and bans to moderators, the audit log to admins', () => {
    expect(settingsTabs('named', 'member', 'public')).toEqual(['members', 'invite']);
    expect(settingsTabs('named', 'member', 'private')).toEqual(['members']);
    expect(settingsTabs('named', 'moderator', 'private')).toEqual(['members', 'invite', 'reports', 'bans']);
    expect(settingsTabs('named', 'admin', 'public')).toEqual(['members', 'invite', 'reports', 'bans', 'audit']);
    expect(settingsTabs('general', 'owner')).toEqual(['members', 'reports', 'audit']);
    expect(settingsTabs('general', 'member')).toEqual(['members']);
  });

  it('lets any member invite to a public room, moderators and up to a private one; admins change which', () => {
    expect(canInvite('named', 'member', 'public')).toBe(true);
    expect(canInvite('named', 'member', 'private')).toBe(false);
    expect(canInvite('named', 'moderator', 'private')).toBe(true);
    expect(canInvite('general', 'owner', undefined)).toBe(false);
    expect(canInvite('direct', 'member', undefined)).toBe(false);
    expect(canManageInvites('named', 'member')).toBe(false);
    expect(canManageInvites('named', 'moderator')).toBe(true);
    expect(canChangeVisibility('named', 'moderator')).toBe(false);
    expect(canChangeVisibility('named', 'admin')).toBe(true);
    expect(canChangeVisibility('general', 'owner')).toBe(false);
  });

  it('bans for an hour, a day, a week or until lifted', () => {
    expect(BAN_DURATIONS.map((d) => [d.label, d.secs])).toEqual([
      ['1 hour', 3600],
      ['1 day', 86400],
      ['1 week', 604800],
      ['Forever', undefined],
    ]);
  });
});

describe('words', () => {
  it('tells a removed user what happened', () => {
    expect(removalNotice('kicked', 'Rustaceans')).toBe('You were removed from # Rustaceans by a moderator.');
    expect(removalNotice('banned', 'Rustaceans')).toBe('You were banned from # Rustaceans.');
    expect(removalNotice('banned', 'Rustaceans', ' spam ')).toBe('You were banned from # Rustaceans. Reason: spam');
  });

  it('tells a banned user why the join failed, and the last owner why they cannot leave', () => {
    expect(joinErrorText(new ApiError(403, 'banned', 'id: you are banned from this room'))).toBe('You are banned from this room.');
    expect(joinErrorText(new ApiError(404, 'not_found', 'id: no such room'))).toBe('no such room');
    expect(joinErrorText(new ApiError(0, 'network', 'The server cannot be reached.'))).toBe('Could not join the room.');
    expect(leaveErrorText(new ApiError(409, 'last_owner', 'id: the last owner cannot leave'))).toBe(
      'You are the last owner of this room: make another member owner before you leave.',
    );
  });

  it('explains a refused moderation', () => {
    expect(moderationErrorText(new ApiError(403, 'outranked', 'userId: outranked'), 'x')).toBe('Their role is not below yours.');
    expect(moderationErrorText(new ApiError(409, 'last_owner', 'role: last owner'), 'x')).toMatch(/at least one owner/);
    expect(moderationErrorText(new ApiError(400, 'invalid_reason', 'reason: too long'), 'x')).toBe('too long');
    expect(moderationErrorText(new Error('boom'), 'Could not ban them.')).toBe('Could not ban them.');
  });

  it('writes audit entries as sentences with usernames', () => {
    const names: Record<string, string> = { '1': 'olga', '2': 'adam' };
    const nameOf = (id: string) => names[id] ?? `User ${id}`;
    const entry = (action: string, actor: string, target: string, detail: string): AuditEntry => ({
      id: '1',
      action,
      actor,
      target,
      detail,
      date: 1,
    });
    expect(auditLine(entry('role', '1', '2', 'admin'), nameOf)).toBe('olga made adam admin');
    expect(auditLine(entry('role', '1', '1', 'member'), nameOf)).toBe('olga stepped down to member');
    expect(auditLine(entry('kick', '1', '2', ''), nameOf)).toBe('olga removed adam');
    expect(auditLine(entry('ban', '1', '2', 'spam'), nameOf)).toBe('olga banned adam: spam');
    expect(auditLine(entry('ban', '1', '2', ''), nameOf)).toBe('olga banned adam');
    expect(auditLine(entry('unban', '1', '9', ''), nameOf)).toBe('olga lifted the ban on User 9');
  });
});
