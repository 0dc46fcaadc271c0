// Message lists: merging pages and live events without duplicates, ordering, grouping.

import type { Message } from '../api/types';

/** Order of a room's history: by `date`, then by `id` so that equal dates stay stable. */
export function compareMessages(a: Message, b: Message): number {
  if (a.date !== b.date) return a.date - b.date;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Merges `incoming` into the sorted list `current`, keyed by message `id` (a message seen
 * twice, live and in a page, is kept once; the later copy wins). Returns `current` itself
 * when nothing changes, so callers can skip re-rendering.
 */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const byId = new Map<string, Message>();
  for (const m of current) byId.set(m.id, m);
  let changed = false;
  for (const m of incoming) {
    const old = byId.get(m.id);
    if (!old || old.date !== m.date || old.message !== m.message || old.from !== m.from) {
      byId.set(m.id, m);
      changed = true;
    }
  }
  if (!changed) return current as Message[];
  return [...byId.values()].sort(compareMessages);
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
