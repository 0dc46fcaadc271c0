// Message lists: merging pages and live events without duplicates, ordering, grouping;
// and changes to a message already shown (edits, deletions, reactions, reply quotes).

import type { Message, Reaction, ReplyQuote } from '../api/types';

/** Order of a room's history: by `date`, then by `id` so that equal dates stay stable. */
export function compareMessages(a: Message, b: Message): number {
  if (a.date !== b.date) return a.date - b.date;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Merges `incoming` into the sorted list `current`, keyed by message `id` (a message seen
 * twice, live and in a page, is kept once; the later copy wins, see `laterCopy`). Returns
 * `current` itself when nothing changes, so callers can skip re-rendering.
 */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const byId = new Map<string, Message>();
  for (const m of current) byId.set(m.id, m);
  let changed = false;
  for (const m of incoming) {
    const old = byId.get(m.id);
    const next = old ? laterCopy(old, m) : m;
    if (!old || !sameMessage(old, next)) {
      byId.set(m.id, next);
      changed = true;
    }
  }
  if (!changed) return current as Message[];
  return [...byId.values()].sort(compareMessages);
}

/**
 * Of two copies of one message, what to keep when `incoming` arrives after `old`: the
 * incoming copy, except that a deletion or a later edit is never undone by a copy that
 * predates it (a page fetched before the change, applied after it).
 */
export function laterCopy(old: Message, incoming: Message): Message {
  if (incoming.deleted) return incoming;
  if (old.deleted) return old;
  if ((old.edited ?? 0) > (incoming.edited ?? 0)) {
    return { ...incoming, message: old.message, edited: old.edited, mentions: old.mentions, replyTo: old.replyTo };
  }
  return incoming;
}

/** Whether two copies of a message show the same thing. */
export function sameMessage(a: Message, b: Message): boolean {
  return (
    a === b ||
    (a.id === b.id &&
      a.date === b.date &&
      a.message === b.message &&
      a.from === b.from &&
      (a.edited ?? 0) === (b.edited ?? 0) &&
      !a.deleted === !b.deleted &&
      !a.moderated === !b.moderated &&
      sameQuote(a.replyTo ?? undefined, b.replyTo ?? undefined) &&
      (a.mentions ?? []).join() === (b.mentions ?? []).join() &&
      (a.attachments ?? []).map((f) => f.id).join() === (b.attachments ?? []).map((f) => f.id).join() &&
      sameReactions(a.reactions ?? [], b.reactions ?? []))
  );
}

function sameQuote(a: ReplyQuote | undefined, b: ReplyQuote | undefined): boolean {
  if (!a || !b) return a === b;
  return a.id === b.id && a.from === b.from && a.message === b.message && !a.deleted === !b.deleted;
}

function sameReactions(a: readonly Reaction[], b: readonly Reaction[]): boolean {
  const sameUsers = (x: readonly string[] | undefined, y: readonly string[] | undefined) =>
    (x ?? []).length === (y ?? []).length && (x ?? []).every((u, i) => u === y?.[i]);
  return (
    a.length === b.length &&
    a.every((r, i) => r.emoji === b[i]?.emoji && r.count === b[i]?.count && r.mine === b[i]?.mine && sameUsers(r.users, b[i]?.users))
  );
}

/** Users a reaction names at most (NAMED_PER_REACTION on the server). */
export const NAMED_PER_REACTION = 3;

/** Longest quote of a parent a reply shows (MAX_QUOTE_CHARS in protocol.rs). */
export const MAX_QUOTE_CHARS = 100;

/** The quote of `parent` as the server makes it: its first 100 characters, `…` when cut. */
export function quoteOf(parent: Message): ReplyQuote {
  if (parent.deleted) return { id: parent.id, deleted: true };
  const chars = [...parent.message];
  const message = chars.length > MAX_QUOTE_CHARS ? `${chars.slice(0, MAX_QUOTE_CHARS).join('')}…` : parent.message;
  return { id: parent.id, from: parent.from, message };
}

/**
 * A list after `changed` (an edit or a tombstone) arrived: its copy replaced (keeping the
 * reactions known when `keepReactions`: edit events carry none), and the quotes of its
 * replies brought up to date. The same array when nothing changes.
 */
export function applyChange(list: readonly Message[], changed: Message, keepReactions: boolean): Message[] {
  let next: Message[] | null = null;
  list.forEach((m, i) => {
    let updated = m;
    if (m.id === changed.id) {
      const incoming = keepReactions && !changed.deleted ? { ...changed, reactions: m.reactions } : changed;
      updated = laterCopy(m, incoming);
    } else if (m.replyTo?.id === changed.id) {
      updated = { ...m, replyTo: quoteOf(changed) };
    }
    if (!sameMessage(m, updated)) {
      next ??= [...list];
      next[i] = updated;
    }
  });
  return next ?? (list as Message[]);
}

/**
 * Reactions after one emoji's count changed: `count` 0 drops it, a new emoji goes last
 * (order of first use). `mine` undefined keeps what was known (someone else reacted).
 * `by` is who changed it (`added` or took theirs back): the few named users follow, as
 * the server keeps them (the earliest still there, at most three).
 */
export function withReaction(
  list: readonly Reaction[],
  emoji: string,
  count: number,
  mine: boolean | undefined,
  by?: { userId: string; added: boolean },
): Reaction[] {
  const at = list.findIndex((r) => r.emoji === emoji);
  if (count <= 0) return at < 0 ? (list as Reaction[]) : list.filter((_, i) => i !== at);
  const old = list[at];
  let users = old?.users ?? [];
  if (by && by.added && !users.includes(by.userId) && users.length < NAMED_PER_REACTION) users = [...users, by.userId];
  if (by && !by.added) users = users.filter((u) => u !== by.userId);
  const next: Reaction = { emoji, count, mine: mine ?? old?.mine ?? false, ...(users.length ? { users } : {}) };
  if (!old) return [...list, next];
  return list.map((r, i) => (i === at ? next : r));
}

/** Who reacted with `r`, in words: "Joe, Mary and 3 others". Empty when nobody is named. */
export function reactedBy(r: Reaction, nameOf: (id: string) => string): string {
  const named = (r.users ?? []).map(nameOf);
  if (named.length === 0) return '';
  const others = r.count - named.length;
  if (others > 0) return `${named.join(', ')} and ${others} ${others === 1 ? 'other' : 'others'}`;
  if (named.length === 1) return named[0] ?? '';
  return `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

export function newestMessage(list: readonly Message[]): Message | undefined {
  return list.length ? list[list.length - 1] : undefined;
}

/** The later of two optional messages by date (the room list shows the newest). */
export function laterMessage(a: Message | undefined, b: Message | undefined): Message | undefined {
  if (!a) return b;
  if (!b) return a;
  return compareMessages(a, b) >= 0 ? a : b;
}

/** Consecutive messages by one sender, close in time, shown under one name. */
export interface MessageGroup {
  key: string;
  from: string;
  messages: Message[];
}

/** Messages closer than this to the previous one by the same sender join its group. */
export const GROUP_GAP_SECONDS = 5 * 60;

export function groupMessages(list: readonly Message[]): MessageGroup[] {
  const groups: MessageGroup[] = [];
  let current: MessageGroup | null = null;
  let lastDate = 0;
  for (const m of list) {
    if (current && current.from === m.from && m.date - lastDate <= GROUP_GAP_SECONDS) {
      current.messages.push(m);
    } else {
      current = { key: m.id, from: m.from, messages: [m] };
      groups.push(current);
    }
    lastDate = m.date;
  }
  return groups;
}
