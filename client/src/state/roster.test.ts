import { describe, expect, it } from 'vitest';
import type { Ban, Member, Role } from '../api/types';
import { user } from './fixtures';
import { bansReducer, emptyList, muteLabel, mutedUntil, rosterReducer, type PagedList, type RosterAction } from './roster';

const member = (id: string, name: string, role: Role = 'member'): Member => ({ user: user(id, name), role });
const ban = (id: string, name: string, date: number): Ban => ({ user: user(id, name, false), by: '1', reason: 'spam', date });

const names = (list: PagedList<Member>) => list.items.map((m) => `${m.user.username}:${m.role}`);

function run(actions: RosterAction[]): PagedList<Member> {
  return actions.reduce(rosterReducer, emptyList<Member>());
}

describe('muted members', () => {
  it('follows member.muted: the end is set, replaced, lifted; unknown users are ignored', () => {
    const start = run([{ type: 'page', items: [member('1', 'olga', 'owner'), { ...member('2', 'adam'), mutedUntil: 100 }], next: null, reset: true }]);
    const muted = rosterReducer(start, { type: 'muted', userId: '1', until: 500 });
    expect(muted.items.map((m) => m.mutedUntil)).toEqual([500, 100]);
    expect(rosterReducer(muted, { type: 'muted', userId: '1', until: 500 })).toBe(muted);
    const lifted = rosterReducer(muted, { type: 'muted', userId: '2' });
    expect(lifted.items[1]).toEqual(member('2', 'adam'));
    expect('mutedUntil' in lifted.items[1]!).toBe(false);
    expect(rosterReducer(lifted, { type: 'muted', userId: '9', until: 5 })).toBe(lifted);
  });

  it('counts a mute as in force until its end only, and says until when', () => {
    const m = { ...member('2', 'adam'), mutedUntil: 1000 };
    expect(mutedUntil(m, 999_000)).toBe(1000);
    expect(mutedUntil(m, 1_000_000)).toBeNull();
    expect(mutedUntil(member('2', 'adam'), 0)).toBeNull();
    expect(muteLabel(1000)).toBe(`Muted until ${new Date(1_000_000).toLocaleString()}`);
  });
});

describe('the members list', () => {
  it('adds pages, each member once, highest role first then by name, and keeps the next cursor', () => {
    const list = run([
      { type: 'page', items: [member('3', 'zed'), member('1', 'olga', 'owner'), member('2', 'adam')], next: 'c1', reset: true },
      { type: 'page', items: [member('4', 'bea', 'moderator'), member('2', 'adam')], next: null },
    ]);
    expect(names(list)).toEqual(['olga:owner', 'bea:moderator', 'adam:member', 'zed:member']);
    expect(list.next).toBeNull();
    expect(list.loaded).toBe(true);
  });

  it('starts again from a refreshed first page', () => {
    const list = run([
      { type: 'page', items: [member('1', 'olga', 'owner')], next: 'c1', reset: true },
      { type: 'page', items: [member('2', 'adam')], next: null },
      { type: 'page', items: [member('1', 'olga', 'owner')], next: 'c2', reset: true },
    ]);
    expect(names(list)).toEqual(['olga:owner']);
    expect(list.next).toBe('c2');
  });

  it('follows role changes and removals, ignoring users it does not hold', () => {
    const start = run([{ type: 'page', items: [member('1', 'olga', 'owner'), member('2', 'adam'), member('3', 'bea')], next: null, reset: true }]);
    const promoted = rosterReducer(start, { type: 'role', userId: '3', role: 'admin' });
    expect(names(promoted)).toEqual(['olga:owner', 'bea:admin', 'adam:member']);
    expect(rosterReducer(promoted, { type: 'role', userId: '3', role: 'admin' })).toBe(promoted);
    expect(rosterReducer(promoted, { type: 'role', userId: '9', role: 'admin' })).toBe(promoted);
    expect(names(rosterReducer(promoted, { type: 'removed', userId: '2' }))).toEqual(['olga:owner', 'bea:admin']);
    expect(rosterReducer(promoted, { type: 'removed', userId: '9' })).toBe(promoted);
  });
});

describe('the bans list', () => {
  it('lists the newest ban first, once each, and drops a lifted one', () => {
    let list = bansReducer(emptyList<Ban>(), { type: 'page', items: [ban('2', 'adam', 10), ban('3', 'bea', 20)], next: 'c', reset: true });
    list = bansReducer(list, { type: 'page', items: [ban('2', 'adam', 10), ban('4', 'cy', 5)], next: null });
    expect(list.items.map((b) => b.user.username)).toEqual(['bea', 'adam', 'cy']);
    list = bansReducer(list, { type: 'lifted', userId: '2' });
    expect(list.items.map((b) => b.user.username)).toEqual(['bea', 'cy']);
  });
});
