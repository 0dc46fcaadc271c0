// The lists of a room's settings panel: its members (with their roles) and its bans, fetched
// page by page (`Link` cursors) and kept up to date by the panel's own actions and by the
// room's `member.role` / `member.kicked` / `member.banned` events.

import type { Ban, Member, Role } from '../api/types';
import { rank } from './roles';

export interface PagedList<T> {
  items: T[];
  /** The cursor of the next page; null when the last page is in. */
  next: string | null;
  /** The first page has arrived. */
  loaded: boolean;
}

export function emptyList<T>(): PagedList<T> {
  return { items: [], next: null, loaded: false };
}

export type RosterAction =
  /** A page arrived; `reset`: it is the first page again (a refresh), forget the others. */
  | { type: 'page'; items: Member[]; next: string | null; reset?: boolean }
  | { type: 'role'; userId: string; role: Role }
  /** Made read-only until `until` (unix seconds), or lifted (`until` undefined): `member.muted`. */
  | { type: 'muted'; userId: string; until?: number }
  /** Kicked or banned: no longer a member. */
  | { type: 'removed'; userId: string };

/** Highest role first, then by name. */
export function compareMembers(a: Member, b: Member): number {
  return rank(b.role) - rank(a.role) || a.user.username.localeCompare(b.user.username) || (a.user.id < b.user.id ? -1 : 1);
}

export function rosterReducer(list: PagedList<Member>, action: RosterAction): PagedList<Member> {
  switch (action.type) {
    case 'page': {
      const byId = new Map<string, Member>();
      if (!action.reset) for (const m of list.items) byId.set(m.user.id, m);
      for (const m of action.items) byId.set(m.user.id, m);
      return { items: [...byId.values()].sort(compareMembers), next: action.next, loaded: true };
    }
    case 'role': {
      const at = list.items.findIndex((m) => m.user.id === action.userId);
      const old = list.items[at];
      if (!old || old.role === action.role) return list;
      const items = list.items.map((m, i) => (i === at ? { ...m, role: action.role } : m)).sort(compareMembers);
      return { ...list, items };
    }
    case 'removed': {
      const items = list.items.filter((m) => m.user.id !== action.userId);
      return items.length === list.items.length ? list : { ...list, items };
    }
    case 'muted': {
      const at = list.items.findIndex((m) => m.user.id === action.userId);
      const old = list.items[at];
      if (!old || old.mutedUntil === action.until) return list;
      const changed: Member = { ...old };
      if (action.until === undefined) delete changed.mutedUntil;
      else changed.mutedUntil = action.until;
      return { ...list, items: list.items.map((m, i) => (i === at ? changed : m)) };
    }
  }
}

/** When a member's mute ends (unix seconds), or null when they are not muted at `nowMs`. */
export function mutedUntil(m: Member, nowMs: number): number | null {
  return m.mutedUntil != null && m.mutedUntil * 1000 > nowMs ? m.mutedUntil : null;
}

/** "Muted until <time>" for a members list. */
export function muteLabel(until: number): string {
  return `Muted until ${new Date(until * 1000).toLocaleString()}`;
}

export type BansAction =
  | { type: 'page'; items: Ban[]; next: string | null; reset?: boolean }
  /** The ban was lifted (or had already ended). */
  | { type: 'lifted'; userId: string };

export function bansReducer(list: PagedList<Ban>, action: BansAction): PagedList<Ban> {
  switch (action.type) {
    case 'page': {
      const byId = new Map<string, Ban>();
      if (!action.reset) for (const b of list.items) byId.set(b.user.id, b);
      for (const b of action.items) byId.set(b.user.id, b);
      // Newest first.
      return { items: [...byId.values()].sort((a, b) => b.date - a.date), next: action.next, loaded: true };
    }
    case 'lifted': {
      const items = list.items.filter((b) => b.user.id !== action.userId);
      return items.length === list.items.length ? list : { ...list, items };
    }
  }
}

/** When a ban ends, in words: "until lifted", or its end date. */
export function banExpiry(b: Ban): string {
  return b.expiresAt == null ? 'until lifted' : `until ${new Date(b.expiresAt * 1000).toLocaleString()}`;
}
