// Reports of messages (README, "Roles and moderation"): a member reports someone else's
// message to the room's moderators, who see it live (`report.created`) and in the room's
// queue, and close it (`report.updated`). The reporter hears that theirs was reviewed, never
// by whom. Here: which messages may be reported, the open reports a tab knows per room, and
// the words for it all.

import { isApiError } from '../api/client';
import type { Report, ReportStatus, RoomKind } from '../api/types';
import type { ReportCreated } from '../ws/events';

/** Longest report reason the server takes. */
export const REPORT_REASON_MAX = 500;

/** What the reporter is told once their report is sent. */
export const REPORTED_NOTICE = "Reported to the room's moderators.";

/** What the reporter is told when a moderator closed their report (never who, nor how). */
export const REVIEWED_NOTICE = 'Your report was reviewed.';

/**
 * A report as this tab keeps it: users by id (their names are in the user directory), so the
 * live `report.created` and the listed `ReportView` come to the same thing.
 */
export interface ReportItem {
  id: string;
  roomId: string;
  messageId: string;
  reporterId: string;
  authorId: string;
  /** The message's text when it was reported. */
  excerpt: string;
  reason: string;
  /** Unix seconds. */
  date: number;
  status: ReportStatus;
  /** Who closed it (moderators' copies only). */
  handledBy?: string;
  handledAt?: number;
}

export function reportFromView(r: Report): ReportItem {
  return {
    id: r.id,
    roomId: r.roomId,
    messageId: r.messageId,
    reporterId: r.reporter.id,
    authorId: r.author.id,
    excerpt: r.excerpt,
    reason: r.reason,
    date: r.date,
    status: r.status,
    handledBy: r.handledBy?.id,
    handledAt: r.handledAt ?? undefined,
  };
}

export function reportFromEvent(e: ReportCreated): ReportItem {
  return {
    id: e.id,
    roomId: e.roomId,
    messageId: e.messageId,
    reporterId: e.reporterId,
    authorId: e.authorId,
    excerpt: e.excerpt,
    reason: e.reason,
    date: e.date,
    status: 'open',
  };
}

/** Whether the user may report a message: someone else's, not deleted, in a room that has moderators (not a direct one). */
export function canReport(kind: RoomKind, mine: boolean, deleted: boolean): boolean {
  return !mine && !deleted && kind !== 'direct';
}

/** Whether the user sees a room's reports: its moderators and up, in rooms that have roles. */
export function seesReports(kind: RoomKind, moderator: boolean): boolean {
  return moderator && kind !== 'direct';
}

/** A room's open reports as this tab knows them: newest first, each once. */
export interface OpenReports {
  items: ReportItem[];
  /** The first page came from the server (else only live events are known). */
  loaded: boolean;
}

export const NO_REPORTS: OpenReports = { items: [], loaded: false };

function newestFirst(a: ReportItem, b: ReportItem): number {
  return b.date - a.date || (a.id < b.id ? 1 : -1);
}

/**
 * Merges reports into a room's list, each once, newest first; closed ones are left out.
 * `loaded`: they are a page from the server (the list then counts as loaded). After a
 * reconnect the lists start empty again (`NO_REPORTS`), so what is merged is either in a
 * page fetched since or came live since: open, unless a `report.updated` takes it out.
 */
export function withReports(list: OpenReports, incoming: readonly ReportItem[], loaded = false): OpenReports {
  const byId = new Map<string, ReportItem>();
  for (const r of list.items) byId.set(r.id, r);
  for (const r of incoming) if (r.status === 'open') byId.set(r.id, r);
  return { items: [...byId.values()].sort(newestFirst), loaded: list.loaded || loaded };
}

export function withoutReport(list: OpenReports, id: string): OpenReports {
  const items = list.items.filter((r) => r.id !== id);
  return items.length === list.items.length ? list : { ...list, items };
}

/** The number a badge shows: "99+" past 99. */
export function countLabel(n: number): string {
  return n > 99 ? '99+' : String(n);
}

/** "Resolved by olga", "Dismissed" (nobody named when the report does not say). */
export function closedLine(r: ReportItem, nameOf: (id: string) => string): string {
  const verb = r.status === 'dismissed' ? 'Dismissed' : r.status === 'resolved' ? 'Resolved' : 'Open';
  return r.handledBy ? `${verb} by ${nameOf(r.handledBy)}` : verb;
}

// ---- refusals, in words ----

/** What to tell a member whose report was refused. */
export function reportErrorText(e: unknown): string {
  if (!isApiError(e)) return 'Could not send the report.';
  if (e.status === 0) return e.message;
  switch (e.error) {
    case 'own_message':
      return 'You cannot report your own message.';
    case 'message_deleted':
      return 'This message was deleted meanwhile.';
    case 'not_member':
      return 'You are not in this room.';
    case 'invalid_reason':
      return 'Say why, in at most 500 characters.';
  }
  if (e.status === 404) return 'This message is no longer there.';
  if (e.status === 429) return `You are sending too fast: try again in ${e.retryAfter ?? 'a few'} s.`;
  return e.detail;
}

/** What to tell a moderator whose action on a report was refused. */
export function closeErrorText(e: unknown): string {
  if (!isApiError(e)) return 'Could not close the report.';
  if (e.status === 0) return e.message;
  if (e.error === 'already_closed') return 'Another moderator closed it already.';
  if (e.error === 'not_allowed' || e.status === 403) return 'Your role does not allow this.';
  if (e.status === 404) return 'This report is gone.';
  return e.detail;
}
