// `@username` mentions: finding the one being typed, completing it, and splitting a
// message's text into plain runs and mentions for display. The server's rule
// (`mention_names` in modules/messages/src/edits.rs): `@` not preceded by a name character
// (an e-mail address is not a mention), then the longest run of name characters, at most
// 32; a name ending a sentence (`@Joe.`) is also tried without its final dots.

import type { User } from '../api/types';

const NAME_CHAR = /[A-Za-z0-9._-]/;
const MAX_NAME = 32;

const isNameChar = (c: string | undefined) => c !== undefined && NAME_CHAR.test(c);

/** Whether `@username` can name this user at all (the server reads only name characters). */
export function mentionable(username: string): boolean {
  return username.length <= MAX_NAME && /^[A-Za-z0-9._-]+$/.test(username);
}

/** An `@name` being typed: where its `@` is and the letters after it. */
export interface MentionQuery {
  start: number;
  query: string;
}

/** The `@name` just before the caret, if one is being typed (at least one letter after `@`). */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  let i = caret;
  while (i > 0 && isNameChar(text[i - 1])) i -= 1;
  const at = i - 1;
  if (at < 0 || text[at] !== '@' || isNameChar(text[at - 1])) return null;
  const query = text.slice(i, caret);
  if (!query || query.length > MAX_NAME) return null;
  return { start: at, query };
}

/** Users whose name starts with the query (any case), closest first, at most `limit`. */
export function mentionCandidates(users: readonly User[], query: string, limit = 6): User[] {
  const q = query.toLowerCase();
  const exactFirst = (u: User) => (u.username.startsWith(query) ? 0 : 1);
  return users
    .filter((u) => mentionable(u.username) && u.username.toLowerCase().startsWith(q))
    .sort((a, b) => exactFirst(a) - exactFirst(b) || a.username.localeCompare(b.username))
    .slice(0, limit);
}

/** The text with the `@query` before `caret` replaced by `@username `, and the caret after it. */
export function insertMention(text: string, q: MentionQuery, caret: number, username: string): { text: string; caret: number } {
  const before = text.slice(0, q.start);
  const after = text.slice(caret).replace(/^[A-Za-z0-9._-]*/, '').replace(/^ /, '');
  const inserted = `@${username} `;
  return { text: before + inserted + after, caret: before.length + inserted.length };
}

/** A run of a message's text: plain, or an `@name` naming a user (`me`: the reader). */
export interface TextRun {
  text: string;
  mention?: 'me' | 'other';
}

/**
 * Splits a text into runs, marking the `@name`s whose name is in `names` (the usernames of
 * the users the server found mentioned, mapped to whether it is the reader).
 */
export function splitMentions(text: string, names: ReadonlyMap<string, 'me' | 'other'>): TextRun[] {
  if (names.size === 0 || !text.includes('@')) return [{ text }];
  const runs: TextRun[] = [];
  let plainFrom = 0;
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('@', i);
    if (at < 0) break;
    let end = at + 1;
    while (end < text.length && end - at - 1 < MAX_NAME && isNameChar(text[end])) end += 1;
    const full = text.slice(at + 1, end);
    const name = names.has(full) ? full : full.replace(/\.+$/, '');
    const who = isNameChar(text[at - 1]) ? undefined : names.get(name);
    if (who && name) {
      if (at > plainFrom) runs.push({ text: text.slice(plainFrom, at) });
      runs.push({ text: `@${name}`, mention: who });
      plainFrom = at + 1 + name.length;
    }
    i = Math.max(end, at + 1);
  }
  if (plainFrom < text.length) runs.push({ text: text.slice(plainFrom) });
  return runs;
}
