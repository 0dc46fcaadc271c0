import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { Report } from '../api/types';
import { user } from './fixtures';
import {
  canReport,
  closedLine,
  closeErrorText,
  countLabel,
  NO_REPORTS,
  reportErrorText,
  reportFromEvent,
  reportFromView,
  seesReports,
  withoutReport,
  withReports,
  type ReportItem,
} from './reports';

const item = (id: string, date: number, status: ReportItem['status'] = 'open'): ReportItem => ({
  id,
  roomId: '7',
  messageId: `m${id}`,
  reporterId: '3',
  authorId: '4',
  excerpt: 'buy cheap watches',
  reason: 'spam',
  date,
  status,
});

describe('reports', () => {
  it('come to the same thing from the list and from the live event', () => {
    const view: Report = {
      id: 'r1',
      roomId: '7',
      messageId: 'm1',
      reporter: user('3', 'mary'),
      author: user('4', 'alex'),
      excerpt: 'buy cheap watches',
      reason: 'spam',
      date: 5,
      status: 'open',
    };
    const event = { userId: '1', id: 'r1', roomId: '7', messageId: 'm1', reporterId: '3', authorId: '4', excerpt: 'buy cheap watches', reason: 'spam', date: 5 };
    expect(reportFromView(view)).toEqual(reportFromEvent(event));
    const closed = reportFromView({ ...view, status: 'resolved', handledBy: user('1', 'Pablo'), handledAt: 9 });
    expect(closed).toMatchObject({ status: 'resolved', handledBy: '1', handledAt: 9 });
  });

  it('may be made of others’ messages that are still there, in rooms with moderators', () => {
    expect(canReport('named', false, false)).toBe(true);
    expect(canReport('general', false, false)).toBe(true);
    expect(canReport('named', true, false)).toBe(false);
    expect(canReport('named', false, true)).toBe(false);
    expect(canReport('direct', false, false)).toBe(false);
    expect(seesReports('named', true)).toBe(true);
    expect(seesReports('general', true)).toBe(true);
    expect(seesReports('named', false)).toBe(false);
    expect(seesReports('direct', true)).toBe(false);
  });

  it('are listed open only, each once, newest first; a page marks the list loaded', () => {
    let list = withReports(NO_REPORTS, [item('a', 1), item('b', 3)]);
    expect(list.loaded).toBe(false);
    list = withReports(list, [item('c', 2), item('a', 1), item('d', 4, 'resolved')], true);
    expect(list.items.map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(list.loaded).toBe(true);
    expect(withoutReport(list, 'c').items.map((r) => r.id)).toEqual(['b', 'a']);
    expect(withoutReport(list, 'zzz')).toBe(list);
  });

  it('say who closed them, when known, and count up to 99', () => {
    const names = (id: string) => ({ '1': 'Pablo' })[id] ?? `User ${id}`;
    expect(closedLine({ ...item('a', 1, 'resolved'), handledBy: '1' }, names)).toBe('Resolved by Pablo');
    expect(closedLine(item('a', 1, 'dismissed'), names)).toBe('Dismissed');
    expect(countLabel(7)).toBe('7');
    expect(countLabel(120)).toBe('99+');
  });

  it('tell refusals in words', () => {
    const err = (status: number, error: string, retryAfter: number | null = null) => new ApiError(status, error, `reason: ${error}`, retryAfter);
    expect(reportErrorText(err(409, 'own_message'))).toBe('You cannot report your own message.');
    expect(reportErrorText(err(409, 'message_deleted'))).toBe('This message was deleted meanwhile.');
    expect(reportErrorText(err(429, 'rate_limited', 3))).toBe('You are sending too fast: try again in 3 s.');
    expect(reportErrorText(err(404, 'not_found'))).toBe('This message is no longer there.');
    expect(closeErrorText(err(409, 'already_closed'))).toBe('Another moderator closed it already.');
    expect(closeErrorText(err(403, 'not_allowed'))).toBe('Your role does not allow this.');
  });
});
