// Runs a signed-in session: owns the store, the socket and the timers, turns server events
// and user actions into reducer actions, and decides what to fetch (first page of a room,
// older pages, catch-up after a reconnect, names of unknown senders) and what to notify.
// The state logic itself lives in `state/chat.ts`.

import { isApiError, type Api, type Paged } from '../api/client';
import type {
  Account,
  AuditEntry,
  Ban,
  EnteredRoom,
  Invite,
  InviteLink,
  JoinablePage,
  Member,
  Message,
  Role,
  RoomSummary,
  User,
  Verdict,
  Visibility,
} from '../api/types';
import { makeThrottle } from '../state/backoff';
import {
  catchUpPlan,
  chatReducer,
  dateCursor,
  initialState,
  missingUserIds,
  overdue,
  overdueChanges,
  readTarget,
  replyTarget,
  resendable,
  TYPING_SHOW_MS,
  uploadsFor,
  type Action,
  type Change,
  type ChatState,
  type PendingChange,
  type View,
} from '../state/chat';
import { newClientId } from '../state/format';
import { acceptErrorText, inviteFromEvent } from '../state/invites';
import { REPORTED_NOTICE, reportFromEvent, reportFromView, REVIEWED_NOTICE, seesReports, type ReportItem } from '../state/reports';
import { notificationFor, type Note } from '../state/notify';
import { fromRefusal, mutedReason, type ReadOnly } from '../state/readonly';
import { isModerator, leaveErrorText, removalNotice } from '../state/roles';
import { createStore, type Store } from '../state/store';
import { freeSlots, outgoing, tooManyFilesText, uploadFailure } from '../state/uploads';
import type { ClientEvent, MemberAction, MemberMuted, MemberRole, ReportCreated, ReportUpdated, ServerEvent } from '../ws/events';
import { ChatSocket, type SocketOptions } from '../ws/socket';
import { isBlank } from '../state/text';

export const PAGE_SIZE = 50;
/** A message not acknowledged within this time is shown as failed. */
export const ACK_TIMEOUT_MS = 10_000;
/** An `in_progress` answer is retried this many times, this long apart, before failing. */
export const IN_PROGRESS_RETRIES = 5;
export const IN_PROGRESS_WAIT_MS = 1_500;
/** A `rate_limited` answer is retried, after the wait the server names, this many times. */
export const RATE_LIMITED_RETRIES = 5;
/** `typing` frames go out at most this often while the user types. */
export const TYPING_EVERY_MS = 2_000;
/** Older pages fetched at most, looking for the parent of a reply. */
export const REVEAL_MAX_PAGES = 100;
/**
 * Close codes of a socket whose session ended (a sign-out, "sign out everywhere", a password
 * changed on another device, the account deleted): 1008 `signed out` (docs/protocol.md);
 * 4001 is named there too, for the instances' `session.ended`. Either one makes the tab ask
 * `GET /api/auth/me` at once instead of after a few failed reconnects.
 */
export const SESSION_ENDED_CLOSE_CODES: ReadonlySet<number> = new Set([1008, 4001]);
/** How long a notice stays up; the one telling a user they were removed from a room, longer. */
export const NOTICE_MS = 6_000;
export const REMOVAL_NOTICE_MS = 20_000;
/** Members and bans fetched per page for the room settings panel. */
export const ROSTER_PAGE_SIZE = 50;
/** Audit log entries fetched per page. */
export const AUDIT_PAGE_SIZE = 50;
/** Reports fetched per page. */
export const REPORTS_PAGE_SIZE = 50;
/** Pending invitations of a room fetched per page. */
export const INVITES_PAGE_SIZE = 100;
/** The longest a timer may wait (setTimeout's bound); a longer mute is looked at again then. */
const MAX_TIMER_MS = 2_147_483_647;

/** A change to a room's members, as its events tell it: for the room settings panel. */
export type MemberEvent =
  | { type: 'member.role'; data: MemberRole }
  | { type: 'member.kicked'; data: MemberAction }
  | { type: 'member.banned'; data: MemberAction }
  | { type: 'member.muted'; data: MemberMuted };

/** A report made or closed, as its events tell it: for the room settings panel's reports tab. */
export type ReportEvent = { type: 'report.created'; data: ReportCreated } | { type: 'report.updated'; data: ReportUpdated };

export interface ControllerEnv {
  api: Api;
  wsUrl: string;
  /** The page is shown (not a background tab). */
  pageVisible(): boolean;
  /** The layout shows one pane at a time (phone-sized screen). */
  narrow(): boolean;
  /** The session is gone (401, or it ended elsewhere): back to the sign-in screen. */
  onSignedOut(): void;
  /** Shows a browser notification (only called while the page is hidden). */
  notify?(note: Note): void;
  now?: () => number;
  /** For tests: a fake socket, short delays. */
  socket?: SocketOptions;
}

export class ChatController {
  readonly store: Store<ChatState, Action>;
  private readonly api: Api;
  private readonly now: () => number;
  private socket: ChatSocket | null = null;
  private stopped = false;
  /** Incremented on every `ready`: a fetch begun in an older epoch may have missed events. */
  private epoch = 0;
  private loadingLatest = new Set<string>();
  private loadingOlder = new Map<string, Promise<void>>();
  private askedUsers = new Set<string>();
  private roomsRequest: Promise<void> | null = null;
  private roomsAgain = false;
  /** Bumped whenever this tab changes its membership, so that a room list fetched before is not applied. */
  private membershipChanges = 0;
  private effectsQueued = false;
  private ackTimer: ReturnType<typeof setInterval> | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  private readOnlyTimer: ReturnType<typeof setTimeout> | null = null;
  private typingThrottle = new Map<string, (fn: () => void) => boolean>();
  private unsubscribe: (() => void) | null = null;
  private memberListeners = new Set<(e: MemberEvent) => void>();
  private reportListeners = new Set<(e: ReportEvent) => void>();
  private invitesRequest: Promise<void> | null = null;
  private invitesAgain = false;
  /** Bumped on every invitation event, so that a list fetched before one is not applied. */
  private inviteChanges = 0;
  /** Rooms whose open reports are being fetched. */
  private loadingReports = new Set<string>();
  /** Rooms whose open reports were asked for since the last (re)connect or role change: asked once, even if it failed. */
  private reportsAsked = new Set<string>();
  /** Reports known to be closed: a page fetched before the closing must not bring them back. */
  private closedReports = new Set<string>();
  /** Reports this tab closed: their `report.updated` tells the user nothing new. */
  private closedHere = new Set<string>();
  /** Per room, why the user was just removed from it (`member.kicked`/`member.banned` for them, before `room.left`). */
  private removals = new Map<string, MemberAction>();
  /**
   * Requests under way that end this very session (sign out everywhere, delete the account):
   * meanwhile a 401 or a closed socket is their doing, not an expiry to report.
   */
  private leaving = 0;
  private readonly cleanups: (() => void)[] = [];
  /**
   * The files of the composers' rows not uploaded yet, by row key: the file, kept to try
   * again, and while it uploads, what cancels it. A job whose row is gone (removed, its
   * room left) is cancelled by `runEffects`.
   */
  private readonly uploadJobs = new Map<string, { file: File; abort: AbortController | null }>();

  constructor(
    private readonly env: ControllerEnv,
    account: Account,
  ) {
    this.api = env.api;
    this.now = env.now ?? Date.now;
    this.store = createStore(chatReducer, initialState());
    this.store.dispatch({ type: 'session', user: { ...account, online: true } });
  }

  get state(): ChatState {
    return this.store.getState();
  }

  private dispatch(action: Action): void {
    this.store.dispatch(action);
  }

  // ---- lifecycle ----

  start(): void {
    this.unsubscribe = this.store.subscribe(() => this.queueEffects());
    this.socket = new ChatSocket(this.env.wsUrl, {
      onEvent: (e) => this.onEvent(e),
      onDown: (info) => this.onDown(info.attempt, info.retryAt, info.code),
    }, this.env.socket);
    this.socket.start();
    void this.refreshRooms();
    void this.refreshOnline();
    void this.refreshInvites();
    this.ackTimer = setInterval(() => this.checkAcks(), 1000);
    if (typeof window !== 'undefined') {
      const online = () => this.socket?.reconnectNow();
      const visible = () => {
        if (this.env.pageVisible()) this.socket?.reconnectNow();
        this.queueEffects();
      };
      window.addEventListener('online', online);
      document.addEventListener('visibilitychange', visible);
      window.addEventListener('focus', visible);
      this.cleanups.push(() => {
        window.removeEventListener('online', online);
        document.removeEventListener('visibilitychange', visible);
        window.removeEventListener('focus', visible);
      });
    }
  }

  stop(): void {
    this.stopped = true;
    this.socket?.stop();
    this.socket = null;
    this.unsubscribe?.();
    for (const c of this.cleanups.splice(0)) c();
    if (this.ackTimer) clearInterval(this.ackTimer);
    if (this.typingTimer) clearTimeout(this.typingTimer);
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    if (this.readOnlyTimer) clearTimeout(this.readOnlyTimer);
    for (const job of this.uploadJobs.values()) job.abort?.abort();
    this.uploadJobs.clear();
  }

  async logout(): Promise<void> {
    this.stop();
    try {
      await this.api.logout();
    } catch {
      // The cookie is gone or the server is down: either way this tab signs out.
    }
  }

  reconnectNow(): void {
    this.socket?.reconnectNow();
  }

  // ---- account ----

  /**
   * Changes the password. The server ends every other session of the account (their tabs
   * go back to the sign-in screen); this one goes on. Refusals are thrown for the dialog.
   */
  changePassword(current: string, next: string): Promise<void> {
    return this.accountRequest(() => this.api.changePassword(current, next), false);
  }

  /** Ends every session of the account, this one included; resolves once this tab is stopped. */
  logoutAll(): Promise<void> {
    return this.accountRequest(() => this.api.logoutAll(), true);
  }

  /** Deletes the account (every session ends); resolves once this tab is stopped. */
  deleteAccount(password: string): Promise<void> {
    return this.accountRequest(() => this.api.deleteAccount(password), true);
  }

  /**
   * Runs an account request; its error is thrown for the dialog to show, except that a 401
   * signs the tab out. `endsSession`: on success this session is over, so the controller
   * stops (the caller shows the sign-in screen); until the answer, the socket the server
   * closes meanwhile is not reported as an expired session.
   */
  private async accountRequest(request: () => Promise<void>, endsSession: boolean): Promise<void> {
    if (endsSession) this.leaving += 1;
    try {
      await request();
    } catch (e) {
      if (endsSession) this.leaving -= 1;
      if (isApiError(e) && e.status === 401) this.sessionEnded();
      // The answer was lost, yet the server may have ended the session (and closed the
      // socket, which was not reported meanwhile): ask.
      else if (endsSession && this.state.connection === 'offline') void this.call(() => this.api.me());
      throw e;
    }
    if (endsSession) {
      this.leaving -= 1;
      this.stop();
    }
  }

  // ---- socket events ----

  private onDown(attempt: number, retryAt: number, code?: number): void {
    this.dispatch({ type: 'connectionChanged', connection: 'offline', reconnectAt: retryAt });
    // The server closed it because the session ended: ask at once whether it was this
    // tab's. A socket that keeps failing may mean the same (the upgrade gets a 401).
    const ended = code !== undefined && SESSION_ENDED_CLOSE_CODES.has(code);
    if (ended || attempt >= 2) void this.call(() => this.api.me());
  }

  /** The session is gone: stop, and back to the sign-in screen (once). */
  private sessionEnded(): void {
    if (this.stopped || this.leaving > 0) return;
    this.stop();
    this.env.onSignedOut();
  }

  private onEvent(e: ServerEvent): void {
    if (this.stopped) return;
    switch (e.type) {
      case 'ready':
        this.epoch += 1;
        this.dispatch({ type: 'presence', user: e.data.user });
        this.dispatch({ type: 'connectionChanged', connection: 'online' });
        this.afterReady();
        break;
      case 'message':
        this.receive(e.data);
        break;
      case 'ack': {
        const { clientId, message } = e.data;
        if (clientId && this.changeOf(clientId)) this.dispatch({ type: 'changeDone', clientId, message });
        else this.dispatch({ type: 'ackReceived', clientId, message });
        break;
      }
      case 'error':
        if (e.data.clientId && this.changeOf(e.data.clientId)) {
          this.changeError(e.data.clientId, e.data.error, e.data.message, e.data.retryAfterMs);
        } else if (e.data.clientId) {
          this.sendError(e.data.clientId, e.data.error, e.data.message, e.data.retryAfterMs);
        } else {
          console.warn('server refused a frame:', e.data.error, e.data.message);
        }
        break;
      case 'user.connected':
      case 'user.disconnected':
        this.dispatch({ type: 'presence', user: e.data });
        break;
      case 'show.room':
        void this.refreshRooms();
        break;
      case 'room.joined':
        if (e.data.userId === this.state.me?.id) void this.refreshRooms();
        break;
      case 'room.left':
        if (e.data.userId === this.state.me?.id) this.roomLeft(e.data.roomId, e.data.name, e.data.reason);
        break;
      case 'typing':
        this.dispatch({
          type: 'typingStarted',
          roomId: e.data.roomId,
          userId: e.data.userId,
          username: e.data.username,
          until: this.now() + TYPING_SHOW_MS,
        });
        this.scheduleTypingExpiry();
        break;
      case 'room.read':
        if (!e.data.userId || e.data.userId === this.state.me?.id) {
          this.dispatch({ type: 'roomRead', roomId: e.data.roomId, date: e.data.date });
        }
        break;
      case 'message.edited':
        this.dispatch({ type: 'messageChanged', message: e.data, keepReactions: true });
        break;
      case 'message.deleted':
        this.dispatch({ type: 'messageChanged', message: e.data });
        break;
      case 'reaction.changed':
        this.dispatch({ type: 'reactionChanged', ...e.data });
        break;
      case 'room.muted':
        if (e.data.userId === this.state.me?.id) this.dispatch({ type: 'roomMuted', roomId: e.data.roomId, muted: e.data.muted });
        break;
      case 'member.role':
        if (e.data.userId === this.state.me?.id) this.reportsAsked.delete(e.data.roomId);
        this.dispatch({ type: 'memberRole', roomId: e.data.roomId, userId: e.data.userId, role: e.data.role });
        this.emitMember(e);
        break;
      case 'member.kicked':
      case 'member.banned':
        if (e.data.userId === this.state.me?.id) this.removals.set(e.data.roomId, e.data);
        this.emitMember(e);
        break;
      case 'member.muted':
        if (e.data.userId === this.state.me?.id) {
          this.setReadOnly(e.data.roomId, e.data.until === undefined ? null : { until: e.data.until, known: true });
        }
        this.emitMember(e);
        break;
      case 'room.updated':
        this.dispatch({ type: 'roomUpdated', roomId: e.data.roomId, name: e.data.name, visibility: e.data.visibility });
        break;
      case 'invite.received': {
        const me = this.state.me;
        if (!me || e.data.userId !== me.id) break;
        this.inviteChanges += 1;
        this.dispatch({ type: 'inviteReceived', invite: inviteFromEvent(e.data, me) });
        this.dispatch({ type: 'usersSeen', users: [e.data.invitedBy] });
        break;
      }
      case 'invite.removed':
        if (e.data.userId !== this.state.me?.id) break;
        this.inviteChanges += 1;
        this.dispatch({ type: 'inviteRemoved', id: e.data.id });
        break;
      case 'report.created':
        if (e.data.userId !== this.state.me?.id) break;
        if (!this.closedReports.has(e.data.id)) {
          this.dispatch({ type: 'reportsListed', roomId: e.data.roomId, reports: [reportFromEvent(e.data)] });
        }
        this.lookUpUsers([e.data.reporterId, e.data.authorId]);
        this.emitReport(e);
        break;
      case 'report.updated':
        if (e.data.userId !== this.state.me?.id) break;
        this.closedReports.add(e.data.id);
        this.dispatch({ type: 'reportClosed', roomId: e.data.roomId, reportId: e.data.id });
        // The reporter's copy names nobody; it tells them their report was looked at.
        if (!e.data.handledBy && !this.closedHere.has(e.data.id)) this.showNotice(REVIEWED_NOTICE);
        if (e.data.handledBy) this.lookUpUsers([e.data.handledBy]);
        this.emitReport(e);
        break;
    }
  }

  private emitReport(e: ReportEvent): void {
    for (const listener of [...this.reportListeners]) listener(e);
  }

  /** Follows the reports made and closed (for the rooms the user moderates, and their own); returns the unsubscribe. */
  onReportEvent(listener: (e: ReportEvent) => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  /**
   * The user left a room, here or elsewhere, or was removed from it (`reason`): it goes
   * from the list (the open one gives way to General), and a removal is told.
   */
  private roomLeft(roomId: string, eventName: string | undefined, reason: 'kicked' | 'banned' | undefined): void {
    const name = this.state.rooms[roomId]?.name ?? eventName ?? roomId;
    const action = this.removals.get(roomId);
    this.removals.delete(roomId);
    // A room list fetched before this must not bring the room back.
    this.membershipChanges += 1;
    this.dispatch({ type: 'roomRemoved', roomId });
    if (reason) this.showNotice(removalNotice(reason, name, reason === 'banned' ? action?.reason : undefined), REMOVAL_NOTICE_MS);
  }

  private emitMember(e: MemberEvent): void {
    for (const listener of [...this.memberListeners]) listener(e);
  }

  /** Follows the changes to rooms' members (roles, removals, bans); returns the unsubscribe. */
  onMemberEvent(listener: (e: MemberEvent) => void): () => void {
    this.memberListeners.add(listener);
    return () => this.memberListeners.delete(listener);
  }

  private changeOf(clientId: string): PendingChange | undefined {
    return this.state.changes.find((c) => c.clientId === clientId);
  }

  /** The user is read-only in a room until then (null: no longer); the room's composer waits. */
  private setReadOnly(roomId: string, readOnly: ReadOnly | null): void {
    this.dispatch({ type: 'readOnly', roomId, readOnly });
    this.scheduleReadOnlyExpiry();
  }

  /** A `muted` refusal: the user learns until when, on the refused message and in the composer. */
  private mutedRefusal(roomId: string, message: string): string {
    const readOnly = fromRefusal(message, this.now());
    this.setReadOnly(roomId, readOnly);
    return mutedReason(readOnly);
  }

  /** When the first read-only spell ends, the composer opens again. */
  private scheduleReadOnlyExpiry(): void {
    if (this.readOnlyTimer) clearTimeout(this.readOnlyTimer);
    this.readOnlyTimer = null;
    const next = Math.min(...Object.values(this.state.readOnly).map((r) => r.until * 1000));
    if (!Number.isFinite(next) || this.stopped) return;
    this.readOnlyTimer = setTimeout(
      () => {
        this.readOnlyTimer = null;
        this.dispatch({ type: 'readOnlyExpired', now: this.now() });
        this.scheduleReadOnlyExpiry();
      },
      Math.min(Math.max(50, next - this.now() + 20), MAX_TIMER_MS),
    );
  }

  /** The server refused an edit, deletion or reaction of ours: shown on its message. */
  private changeError(clientId: string, code: string, message: string, retryAfterMs?: number): void {
    const c = this.changeOf(clientId);
    if (!c) return;
    if (code === 'muted') {
      this.dispatch({ type: 'changeFailed', clientId, error: this.mutedRefusal(c.roomId, message) });
      return;
    }
    if (code === 'rate_limited' && c.attempts < RATE_LIMITED_RETRIES) {
      setTimeout(() => {
        if (!this.stopped && this.changeOf(clientId)?.status === 'sending') this.retryChange(clientId, true);
      }, Math.min(Math.max(retryAfterMs ?? 1_000, 50), 60_000));
      return;
    }
    this.dispatch({ type: 'changeFailed', clientId, error: message.replace(/^[A-Za-z_]+:\s*/, '') });
  }

  /** The server refused a message of ours (see docs/protocol.md, "Errors"). */
  private sendError(clientId: string, code: string, message: string, retryAfterMs?: number): void {
    const p = this.state.pending.find((x) => x.clientId === clientId);
    if (!p) return;
    // Read-only here for a while: shown failed with why, not sent again by itself.
    if (code === 'muted') {
      this.dispatch({ type: 'sendFailed', clientId, reason: 'rejected', error: this.mutedRefusal(p.roomId, message) });
      return;
    }
    const again = (wait: number) =>
      setTimeout(() => {
        if (!this.stopped && this.state.pending.some((x) => x.clientId === clientId)) this.retry(clientId);
      }, wait);
    // The first attempt is still being stored (older servers): ask again shortly.
    if (code === 'in_progress' && p.attempts < IN_PROGRESS_RETRIES) {
      again(IN_PROGRESS_WAIT_MS);
      return;
    }
    // Sending faster than the server's rate: send again, same clientId, when it says.
    if (code === 'rate_limited' && p.attempts < RATE_LIMITED_RETRIES) {
      again(Math.min(Math.max(retryAfterMs ?? 1_000, 50), 60_000));
      return;
    }
    const transient = code === 'internal' || code === 'in_progress' || code === 'rate_limited';
    const error = message.replace(/^[A-Za-z_]+:\s*/, '');
    this.dispatch({ type: 'sendFailed', clientId, reason: transient ? 'server' : 'rejected', error });
  }

  private receive(m: Message): void {
    const note = this.env.notify ? notificationFor(this.state, m, !this.env.pageVisible()) : null;
    if (note) this.env.notify?.(note);
    if (!this.state.rooms[m.roomId]) {
      // A room this tab does not know yet (a new direct room, a join from another tab).
      void this.refreshRooms();
      return;
    }
    this.dispatch({ type: 'messageReceived', message: m, visible: this.roomVisible(m.roomId) });
  }

  /** After every (re)connect: the room list, who is online, what was missed, what to resend. */
  private afterReady(): void {
    void this.refreshRooms();
    void this.refreshOnline();
    void this.refreshInvites();
    // Reports closed while away sent no event to this tab: the open ones are fetched again.
    this.reportsAsked.clear();
    this.dispatch({ type: 'reportsReset' });
    this.askedUsers.clear();
    for (const step of catchUpPlan(this.state)) void this.catchUp(step.roomId, step.after);
    for (const p of resendable(this.state)) this.retry(p.clientId);
  }

  // ---- fetching ----

  /** Runs an API call; a 401 signs the tab out, other errors return null. */
  private async call<T>(fn: () => Promise<T>, noticeOnError?: string): Promise<T | null> {
    try {
      return await fn();
    } catch (e) {
      if (isApiError(e) && e.status === 401) {
        this.sessionEnded();
      } else if (noticeOnError) {
        this.showNotice(isApiError(e) && e.status !== 0 ? e.detail : noticeOnError);
      }
      return null;
    }
  }

  refreshRooms(): Promise<void> {
    if (this.roomsRequest) {
      this.roomsAgain = true;
      return this.roomsRequest;
    }
    this.roomsRequest = (async () => {
      for (let guard = 0; guard < 5; guard++) {
        this.roomsAgain = false;
        const changes = this.membershipChanges;
        const rooms = await this.call(() => this.api.rooms());
        if (this.stopped) break;
        if (changes !== this.membershipChanges) this.roomsAgain = true;
        else if (rooms) {
          this.dispatch({ type: 'roomsListed', rooms });
          this.scheduleReadOnlyExpiry();
        }
        if (!this.roomsAgain) break;
      }
      this.roomsRequest = null;
    })();
    return this.roomsRequest;
  }

  /** The user's pending invitations (`GET /api/invites`); one fetched while an invitation event came is fetched again. */
  refreshInvites(): Promise<void> {
    if (this.invitesRequest) {
      this.invitesAgain = true;
      return this.invitesRequest;
    }
    this.invitesRequest = (async () => {
      for (let guard = 0; guard < 5; guard++) {
        this.invitesAgain = false;
        const changes = this.inviteChanges;
        const invites = await this.call(() => this.api.myInvites());
        if (this.stopped) break;
        if (changes !== this.inviteChanges) this.invitesAgain = true;
        else if (invites) {
          this.dispatch({ type: 'invitesListed', invites });
          this.dispatch({ type: 'usersSeen', users: invites.map((i) => i.invitedBy) });
        }
        if (!this.invitesAgain) break;
      }
      this.invitesRequest = null;
    })();
    return this.invitesRequest;
  }

  /** The first page of a room's open reports, into the store (for the badge and the reports tab). */
  private async loadOpenReports(roomId: string): Promise<void> {
    if (this.loadingReports.has(roomId)) return;
    this.loadingReports.add(roomId);
    const epoch = this.epoch;
    try {
      const page = await this.call(() => this.api.reports(roomId, { status: 'open', limit: REPORTS_PAGE_SIZE }));
      // A reconnect meanwhile: the effects fetch it again.
      if (!page || this.stopped || epoch !== this.epoch) return;
      this.seeReportUsers(page);
      const reports = page.map(reportFromView).filter((r) => !this.closedReports.has(r.id));
      this.dispatch({ type: 'reportsListed', roomId, reports, loaded: true });
    } finally {
      this.loadingReports.delete(roomId);
    }
  }

  private seeReportUsers(reports: readonly { reporter: User; author: User; handledBy?: User }[]): void {
    const users: User[] = [];
    for (const r of reports) {
      users.push(r.reporter, r.author);
      if (r.handledBy) users.push(r.handledBy);
    }
    if (users.length) this.dispatch({ type: 'usersSeen', users });
  }

  private async refreshOnline(): Promise<void> {
    const users = await this.call(() => this.api.online());
    if (!users || this.stopped) return;
    // Everyone this tab thought online but who is not in the list went away meanwhile.
    const listed = new Set(users.map((u) => u.id));
    const gone = Object.values(this.state.users)
      .filter((u) => u.online && !listed.has(u.id) && u.id !== this.state.me?.id)
      .map((u) => ({ ...u, online: false }));
    this.dispatch({ type: 'usersSeen', users: [...users.map((u) => ({ ...u, online: true })), ...gone] });
  }

  private async loadLatest(roomId: string): Promise<void> {
    if (this.loadingLatest.has(roomId)) return;
    this.loadingLatest.add(roomId);
    const epoch = this.epoch;
    const wasOnline = this.state.connection === 'online';
    try {
      const page = await this.call(() => this.api.messages(roomId, { limit: PAGE_SIZE }), 'Could not load messages.');
      if (!page || this.stopped) return;
      this.dispatch({ type: 'pageLoaded', roomId, page, kind: 'latest' });
      // Events between this request and a reconnect that happened meanwhile went nowhere.
      if (epoch !== this.epoch || !wasOnline) {
        const newest = page.messages[page.messages.length - 1];
        void this.catchUp(roomId, newest ? dateCursor(newest.date) : undefined);
      }
    } finally {
      this.loadingLatest.delete(roomId);
    }
  }

  /** Fetches everything newer than `after`, page by page, until up to date. */
  private async catchUp(roomId: string, after: string | undefined): Promise<void> {
    let cursor = after;
    for (let guard = 0; guard < 100 && !this.stopped; guard++) {
      const page = await this.call(() => this.api.messages(roomId, { after: cursor, limit: PAGE_SIZE }));
      if (!page || this.stopped) return;
      this.dispatch({ type: 'pageLoaded', roomId, page, kind: cursor === undefined ? 'latest' : 'after' });
      const last = page.messages[page.messages.length - 1];
      if (page.messages.length < PAGE_SIZE || !last) return;
      cursor = page.after ?? dateCursor(last.date);
    }
  }

  /** Fetches the next older page of a room (one request at a time per room). */
  loadOlder(roomId: string): Promise<void> {
    const room = this.state.rooms[roomId];
    const inFlight = this.loadingOlder.get(roomId);
    if (inFlight) return inFlight;
    if (!room?.olderCursor) return Promise.resolve();
    const before = room.olderCursor;
    const request = (async () => {
      try {
        const page = await this.call(() => this.api.messages(roomId, { before, limit: PAGE_SIZE }), 'Could not load older messages.');
        if (page && !this.stopped) this.dispatch({ type: 'pageLoaded', roomId, page, kind: 'older' });
      } finally {
        this.loadingOlder.delete(roomId);
      }
    })();
    this.loadingOlder.set(roomId, request);
    return request;
  }

  /**
   * Makes sure a message of a room is loaded (the parent of a reply the user clicked):
   * fetches older pages until it shows up or the history ends. False (and a notice) when
   * it is not there.
   */
  async revealMessage(roomId: string, messageId: string): Promise<boolean> {
    const has = () => this.state.rooms[roomId]?.messages.some((m) => m.id === messageId) ?? false;
    for (let pages = 0; pages < REVEAL_MAX_PAGES && !this.stopped && !has(); pages++) {
      const cursor = this.state.rooms[roomId]?.olderCursor;
      if (!cursor) break;
      await this.loadOlder(roomId);
      // A failed request leaves the cursor as it was (and said so): stop there.
      if (this.state.rooms[roomId]?.olderCursor === cursor && !has()) return false;
    }
    if (has()) return true;
    if (!this.stopped) this.showNotice('The original message is no longer in the history.');
    return false;
  }

  private async loadUsers(ids: string[]): Promise<void> {
    for (const id of ids) this.askedUsers.add(id);
    for (let i = 0; i < ids.length; i += 50) {
      const users = await this.call(() => this.api.users(ids.slice(i, i + 50)));
      if (users && !this.stopped) this.dispatch({ type: 'usersSeen', users });
    }
  }

  // ---- effects of state changes ----

  private queueEffects(): void {
    if (this.effectsQueued || this.stopped) return;
    this.effectsQueued = true;
    queueMicrotask(() => {
      this.effectsQueued = false;
      if (!this.stopped) this.runEffects();
    });
  }

  private runEffects(): void {
    const s = this.state;
    const room = s.rooms[s.activeRoomId];
    if (room && !room.historyLoaded) void this.loadLatest(room.id);
    // The open room's reports, for its moderators (the badge on its settings button).
    if (
      room &&
      seesReports(room.kind, isModerator(room.role)) &&
      !s.reports[room.id]?.loaded &&
      !this.reportsAsked.has(room.id) &&
      s.connection === 'online'
    ) {
      this.reportsAsked.add(room.id);
      void this.loadOpenReports(room.id);
    }
    if (room?.historyLoaded && this.roomVisible(room.id)) {
      const date = readTarget(s, room.id);
      if (date !== null) this.markRead(room.id, date);
    }
    const missing = missingUserIds(s).filter((id) => !this.askedUsers.has(id));
    if (missing.length) void this.loadUsers(missing);
    for (const [key, job] of this.uploadJobs) {
      if (s.uploads.some((u) => u.key === key)) continue;
      job.abort?.abort();
      this.uploadJobs.delete(key);
    }
  }

  private roomVisible(roomId: string): boolean {
    const s = this.state;
    return (
      s.activeRoomId === roomId && this.env.pageVisible() && (!this.env.narrow() || s.view === 'conversation')
    );
  }

  private markRead(roomId: string, date: number): void {
    this.dispatch({ type: 'readMarked', roomId, date });
    if (!this.socket?.send({ type: 'read', data: { roomId, date } })) {
      void this.call(() => this.api.markRead(roomId, date));
    }
  }

  private scheduleTypingExpiry(): void {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    const next = Math.min(...this.state.typing.map((t) => t.until));
    if (!Number.isFinite(next)) return;
    this.typingTimer = setTimeout(() => {
      this.typingTimer = null;
      this.dispatch({ type: 'typingExpired', now: this.now() });
      this.scheduleTypingExpiry();
    }, Math.max(50, next - this.now() + 20));
  }

  private checkAcks(): void {
    const deadline = this.now() - ACK_TIMEOUT_MS;
    for (const p of overdue(this.state, deadline)) {
      this.dispatch({ type: 'sendFailed', clientId: p.clientId, reason: 'timeout', error: 'No answer from the server.' });
    }
    for (const c of overdueChanges(this.state, deadline)) {
      this.dispatch({ type: 'changeFailed', clientId: c.clientId, error: 'No answer from the server.' });
    }
  }

  private showNotice(text: string, ms = NOTICE_MS): void {
    this.dispatch({ type: 'notice', text });
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => this.dispatch({ type: 'notice', text: null }), ms);
  }

  // ---- user actions ----

  openRoom(roomId: string): void {
    this.dispatch({ type: 'roomActivated', roomId });
  }

  setView(view: View): void {
    this.dispatch({ type: 'viewChanged', view });
  }

  dismissNotice(): void {
    this.dispatch({ type: 'notice', text: null });
  }

  /**
   * Sends a message to the open room (answering its reply target, if any) with the files
   * uploaded in its composer; it shows at once as pending. Nothing goes out while a file
   * is still uploading, nor without text or files (see `outgoing`).
   */
  send(text: string): void {
    const roomId = this.state.activeRoomId;
    if (!this.state.rooms[roomId]) return;
    const out = outgoing(text, uploadsFor(this.state, roomId));
    if (out.kind !== 'send') return;
    const clientId = newClientId();
    const replyTo = replyTarget(this.state, roomId)?.id;
    const { message, attachments } = out;
    // Others stop showing "typing" when the message arrives: the next keystroke announces again.
    this.typingThrottle.delete(roomId);
    this.dispatch({ type: 'sendStarted', clientId, roomId, message, at: this.now(), replyTo, attachments });
    const ids = attachments.map((a) => a.id);
    const data = { roomId, message, clientId, replyTo, attachments: ids.length ? ids : undefined };
    if (!this.socket?.send({ type: 'message', data })) {
      this.dispatch({ type: 'sendFailed', clientId, reason: 'disconnected' });
    }
  }

  /** Sends a failed message again with the same clientId (the server keeps one copy, and attaches its files once). */
  retry(clientId: string): void {
    const p = this.state.pending.find((x) => x.clientId === clientId);
    if (!p) return;
    this.dispatch({ type: 'sendRetried', clientId, at: this.now() });
    const attachments = p.attachments?.map((a) => a.id);
    const data = { roomId: p.roomId, message: p.message, clientId, replyTo: p.replyTo, attachments };
    if (!this.socket?.send({ type: 'message', data })) {
      this.dispatch({ type: 'sendFailed', clientId, reason: 'disconnected' });
    }
  }

  // ---- files attached in the composer ----

  /**
   * Attaches files to a room's composer; each starts uploading at once. A message carries
   * at most MAX_ATTACHMENTS files: the ones past that are left out, and a notice says so.
   */
  attachFiles(roomId: string, files: readonly File[]): void {
    if (!this.state.rooms[roomId] || files.length === 0) return;
    const taken = files.slice(0, freeSlots(this.state.uploads, roomId));
    if (taken.length < files.length) this.showNotice(tooManyFilesText(files.length, taken.length));
    for (const file of taken) {
      const key = newClientId();
      this.uploadJobs.set(key, { file, abort: null });
      this.startUpload(key, roomId, file);
    }
  }

  /** Tries a failed upload again, with the same file. */
  retryUpload(key: string): void {
    const row = this.state.uploads.find((u) => u.key === key);
    const job = this.uploadJobs.get(key);
    if (!row || row.status !== 'failed' || !job) return;
    if (freeSlots(this.state.uploads, row.roomId) === 0) {
      this.showNotice(tooManyFilesText(1, 0));
      return;
    }
    this.startUpload(key, row.roomId, job.file);
  }

  /** Cancels a file while it uploads, or takes it off the composer once uploaded or failed. */
  removeUpload(key: string): void {
    this.uploadJobs.get(key)?.abort?.abort();
    this.uploadJobs.delete(key);
    this.dispatch({ type: 'uploadRemoved', key });
  }

  private startUpload(key: string, roomId: string, file: File): void {
    const job = this.uploadJobs.get(key);
    if (!job) return;
    const abort = new AbortController();
    job.abort = abort;
    this.dispatch({ type: 'uploadStarted', key, roomId, name: file.name, size: file.size });
    const onProgress = (sent: number, total: number) => {
      if (!abort.signal.aborted) this.dispatch({ type: 'uploadProgress', key, sent, total });
    };
    this.api.upload(roomId, file, { signal: abort.signal, onProgress }).then(
      (upload) => {
        if (this.stopped || abort.signal.aborted) return;
        this.uploadJobs.delete(key);
        this.dispatch({ type: 'uploadDone', key, upload });
      },
      (e: unknown) => {
        if (this.stopped || abort.signal.aborted) return;
        job.abort = null;
        if (isApiError(e) && e.status === 401) this.sessionEnded();
        else this.dispatch({ type: 'uploadFailed', key, ...uploadFailure(e, this.now()) });
      },
    );
  }

  /** The next message sent in the open room answers this one. */
  startReply(messageId: string): void {
    this.dispatch({ type: 'replyStarted', roomId: this.state.activeRoomId, messageId });
  }

  cancelReply(): void {
    this.dispatch({ type: 'replyCancelled', roomId: this.state.activeRoomId });
  }

  /** Replaces the text of one of the user's messages. */
  editMessage(roomId: string, messageId: string, text: string): void {
    if (isBlank(text)) return;
    this.change(roomId, messageId, { kind: 'edit', text });
  }

  deleteMessage(roomId: string, messageId: string): void {
    this.change(roomId, messageId, { kind: 'delete' });
  }

  /** Adds the user's reaction `emoji` to a message, or takes it back if it is there. */
  toggleReaction(roomId: string, messageId: string, emoji: string): void {
    const m = this.state.rooms[roomId]?.messages.find((x) => x.id === messageId);
    if (!m || m.deleted) return;
    const mine = (m.reactions ?? []).some((r) => r.emoji === emoji && r.mine);
    this.change(roomId, messageId, { kind: 'react', emoji, add: !mine });
  }

  /** Sends a refused or unanswered change again, with its clientId. */
  retryChange(clientId: string, automatic = false): void {
    const c = this.changeOf(clientId);
    if (!c || (c.status === 'sending' && !automatic)) return;
    this.dispatch({ type: 'changeRetried', clientId, at: this.now() });
    this.sendChange(c);
  }

  dismissChange(clientId: string): void {
    this.dispatch({ type: 'changeDismissed', clientId });
  }

  private change(roomId: string, messageId: string, change: Change): void {
    const clientId = newClientId();
    this.dispatch({ type: 'changeStarted', clientId, roomId, messageId, change, at: this.now() });
    const c = this.changeOf(clientId);
    if (c) this.sendChange(c);
  }

  /** Over the socket when it is up (answered by `ack`/`error`), else over REST. */
  private sendChange(c: PendingChange): void {
    if (this.socket?.send(changeFrame(c))) return;
    void this.changeOverRest(c);
  }

  private async changeOverRest(c: PendingChange): Promise<void> {
    try {
      const message = await changeRequest(this.api, c);
      if (!this.stopped) this.dispatch({ type: 'changeDone', clientId: c.clientId, message });
    } catch (e) {
      if (this.stopped) return;
      if (isApiError(e) && e.status === 401) {
        this.sessionEnded();
        return;
      }
      const error =
        isApiError(e) && e.error === 'muted'
          ? this.mutedRefusal(c.roomId, e.message)
          : isApiError(e) && e.status !== 0
            ? e.detail
            : 'The server cannot be reached.';
      this.dispatch({ type: 'changeFailed', clientId: c.clientId, error });
    }
  }

  /** Mutes or unmutes a room for the user on every device (no notifications; unread still counts). */
  async setMuted(roomId: string, muted: boolean): Promise<void> {
    this.dispatch({ type: 'roomMuted', roomId, muted });
    const request = () => (muted ? this.api.mute(roomId) : this.api.unmute(roomId)).then(() => true);
    const done = await this.call(request, muted ? 'Could not mute the room.' : 'Could not unmute the room.');
    if (!done && !this.stopped) this.dispatch({ type: 'roomMuted', roomId, muted: !muted });
  }

  discard(clientId: string): void {
    this.dispatch({ type: 'pendingDiscarded', clientId });
  }

  /** The user is typing in the open room. */
  typing(): void {
    const roomId = this.state.activeRoomId;
    let throttle = this.typingThrottle.get(roomId);
    if (!throttle) {
      throttle = makeThrottle(TYPING_EVERY_MS, this.now);
      this.typingThrottle.set(roomId, throttle);
    }
    throttle(() => this.socket?.send({ type: 'typing', data: { roomId } }));
  }

  private adopt(room: RoomSummary | null): boolean {
    if (!room) return false;
    this.membershipChanges += 1;
    this.dispatch({ type: 'roomUpserted', room, activate: true });
    return true;
  }

  /** Opens (creating if needed) the direct room with a user. */
  async startDirect(userId: string): Promise<boolean> {
    if (userId === this.state.me?.id) return false;
    const known = Object.values(this.state.rooms).find((r) => r.kind === 'direct' && r.peerId === userId);
    if (known) {
      this.openRoom(known.id);
      return true;
    }
    return this.adopt(await this.call(() => this.api.direct(userId), 'Could not open the conversation.'));
  }

  /** Creates a named room (public unless `visibility` says private); errors are thrown for the dialog to show. */
  async createRoom(name: string, visibility: Visibility = 'public'): Promise<void> {
    const room = await this.api.createRoom(name, visibility);
    this.adopt(room);
  }

  async joinRoom(roomId: string): Promise<void> {
    const room = await this.api.join(roomId);
    this.adopt(room);
  }

  /** Leaves a named room; a refusal (the last owner, `last_owner`) is told as a notice. */
  async leaveRoom(roomId: string): Promise<void> {
    try {
      await this.leave(roomId);
    } catch (e) {
      if (!this.stopped && !(isApiError(e) && e.status === 401)) this.showNotice(leaveErrorText(e));
    }
  }

  /** Leaves a named room; errors are thrown for the dialog to show (see `leaveErrorText`). */
  async leave(roomId: string): Promise<void> {
    await this.moderation(() => this.api.leave(roomId));
    this.membershipChanges += 1;
    this.dispatch({ type: 'roomRemoved', roomId });
  }

  // ---- roles and moderation (the room settings panel; errors are thrown for it to show) ----

  /** Runs a request of the settings panel: a 401 signs the tab out; every error is thrown. */
  private async moderation<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isApiError(e) && e.status === 401) this.sessionEnded();
      throw e;
    }
  }

  /** One page of a room's members (`cursor` from the previous page); their names and presence are kept. */
  async members(roomId: string, cursor?: string): Promise<Paged<Member[]>> {
    const page = await this.moderation(() => this.api.members(roomId, { limit: ROSTER_PAGE_SIZE, cursor }));
    if (!this.stopped) this.dispatch({ type: 'usersSeen', users: page.items.map((m) => m.user) });
    return page;
  }

  /** Gives a member a role (or the user steps down). */
  async setRole(roomId: string, userId: string, role: Role): Promise<void> {
    await this.moderation(() => this.api.setRole(roomId, userId, role));
    // The `member.role` event says the same; this covers a socket that is down.
    if (!this.stopped) this.dispatch({ type: 'memberRole', roomId, userId, role });
  }

  /** Removes a member from a named room (they may join again). */
  kick(roomId: string, userId: string): Promise<void> {
    return this.moderation(() => this.api.kick(roomId, userId));
  }

  /** Bans a user from a named room; `expiresInSecs` undefined: until lifted. */
  ban(roomId: string, userId: string, reason: string, expiresInSecs?: number): Promise<void> {
    return this.moderation(() => this.api.ban(roomId, userId, reason, expiresInSecs));
  }

  /** Lifts a ban; one already ended (404) counts as lifted. */
  async unban(roomId: string, userId: string): Promise<void> {
    try {
      await this.moderation(() => this.api.unban(roomId, userId));
    } catch (e) {
      if (!(isApiError(e) && e.status === 404)) throw e;
    }
  }

  /** Makes a member read-only for `expiresInSecs` (named rooms and General; moderators and up, over lower ranks). */
  muteMember(roomId: string, userId: string, expiresInSecs: number): Promise<void> {
    return this.moderation(() => this.api.muteMember(roomId, userId, expiresInSecs));
  }

  /** Lifts a member's mute; one already over (404) counts as lifted. */
  async unmuteMember(roomId: string, userId: string): Promise<void> {
    try {
      await this.moderation(() => this.api.unmuteMember(roomId, userId));
    } catch (e) {
      if (!(isApiError(e) && e.status === 404)) throw e;
    }
  }

  /** One page of the bans in force; the banned users' and moderators' names are looked up. */
  async bans(roomId: string, cursor?: string): Promise<Paged<Ban[]>> {
    const page = await this.moderation(() => this.api.bans(roomId, { limit: ROSTER_PAGE_SIZE, cursor }));
    if (!this.stopped) {
      this.dispatch({ type: 'usersSeen', users: page.items.map((b) => b.user) });
      this.lookUpUsers(page.items.map((b) => b.by));
    }
    return page;
  }

  /** Audit log entries older than `before` (an entry's id), newest first; the names in them are looked up. */
  async audit(roomId: string, before?: string): Promise<AuditEntry[]> {
    const entries = await this.moderation(() => this.api.audit(roomId, { limit: AUDIT_PAGE_SIZE, before }));
    if (!this.stopped) this.lookUpUsers(entries.flatMap((e) => [e.actor, e.target]));
    return entries;
  }

  /** Fetches the names of users this tab does not know yet (GET /api/users?ids=…). */
  lookUpUsers(ids: readonly string[]): void {
    const missing = [...new Set(ids)].filter((id) => id && !this.state.users[id] && !this.askedUsers.has(id));
    if (missing.length) void this.loadUsers(missing);
  }

  /** Makes a named room public or private (admins and up); the members' tabs hear `room.updated`. */
  async setVisibility(roomId: string, visibility: Visibility): Promise<void> {
    const room = await this.moderation(() => this.api.updateRoom(roomId, { visibility }));
    if (!this.stopped) this.dispatch({ type: 'roomUpserted', room });
  }

  // ---- invitations (errors are thrown for the screens to show) ----

  /** The account with this name (404 when there is none); its name is kept. */
  async lookupUser(name: string): Promise<User> {
    const user = await this.moderation(() => this.api.lookupUser(name));
    if (!this.stopped) this.dispatch({ type: 'usersSeen', users: [user] });
    return user;
  }

  /** Invites a user to a room: the new invitation, or the one pending already. */
  invite(roomId: string, userId: string): Promise<Invite> {
    return this.moderation(() => this.api.invite(roomId, userId));
  }

  /** One page of a room's pending invitations (moderators and up). */
  async roomInvites(roomId: string, cursor?: string): Promise<Paged<Invite[]>> {
    const page = await this.moderation(() => this.api.roomInvites(roomId, { limit: INVITES_PAGE_SIZE, cursor }));
    if (!this.stopped) this.dispatch({ type: 'usersSeen', users: page.items.flatMap((i) => [i.user, i.invitedBy]) });
    return page;
  }

  /** Revokes an invitation; one already gone (404) counts as revoked. */
  async revokeInvite(roomId: string, inviteId: string): Promise<void> {
    try {
      await this.moderation(() => this.api.revokeInvite(roomId, inviteId));
    } catch (e) {
      if (!(isApiError(e) && e.status === 404)) throw e;
    }
  }

  /** A room's invite links that hold (moderators and up); their makers' names are looked up. */
  async inviteLinks(roomId: string): Promise<InviteLink[]> {
    const links = await this.moderation(() => this.api.inviteLinks(roomId));
    if (!this.stopped) this.lookUpUsers(links.map((l) => l.by));
    return links;
  }

  /** Makes an invite link; its `url` is in this answer only. */
  createInviteLink(roomId: string, expiresInSecs: number, maxUses?: number): Promise<InviteLink> {
    return this.moderation(() => this.api.createInviteLink(roomId, expiresInSecs, maxUses));
  }

  /** Revokes an invite link; one already gone (404) counts as revoked. */
  async revokeInviteLink(roomId: string, linkId: string): Promise<void> {
    try {
      await this.moderation(() => this.api.revokeInviteLink(roomId, linkId));
    } catch (e) {
      if (!(isApiError(e) && e.status === 404)) throw e;
    }
  }

  /**
   * Accepts one of the user's invitations and opens its room. One no longer valid (404)
   * leaves the list; every refusal is thrown (see `acceptErrorText`).
   */
  async acceptInvite(inviteId: string): Promise<void> {
    let entered: EnteredRoom;
    try {
      entered = await this.moderation(() => this.api.acceptInvite(inviteId));
    } catch (e) {
      if (isApiError(e) && e.status === 404 && !this.stopped) {
        // It leaves the list, and what said why with it: the notice tells.
        this.dispatch({ type: 'inviteRemoved', id: inviteId });
        this.showNotice(acceptErrorText(e, 'invite'));
      }
      throw e;
    }
    if (this.stopped) return;
    this.inviteChanges += 1;
    this.dispatch({ type: 'inviteRemoved', id: inviteId });
    this.entered(entered);
  }

  /** Declines one of the user's invitations; one already gone (404) counts as declined. */
  async declineInvite(inviteId: string): Promise<void> {
    try {
      await this.moderation(() => this.api.declineInvite(inviteId));
    } catch (e) {
      if (!(isApiError(e) && e.status === 404)) throw e;
    }
    if (this.stopped) return;
    this.inviteChanges += 1;
    this.dispatch({ type: 'inviteRemoved', id: inviteId });
  }

  /**
   * Joins the room of an invite link the page was opened with, and opens it; a refusal
   * (ended, used up, revoked, banned) is told as a notice. True when the user is in.
   */
  async acceptInviteLink(token: string): Promise<boolean> {
    try {
      const entered = await this.moderation(() => this.api.acceptInviteLink(token));
      if (this.stopped) return false;
      this.entered(entered);
      return true;
    } catch (e) {
      if (!this.stopped && !(isApiError(e) && e.status === 401)) this.showNotice(acceptErrorText(e, 'link'), REMOVAL_NOTICE_MS);
      return false;
    }
  }

  /** The user is in a room now (an invitation or a link accepted): it is opened, and the list fetched for the rest. */
  private entered(room: EnteredRoom): void {
    if (this.state.rooms[room.id]) this.openRoom(room.id);
    else {
      this.adopt({ id: room.id, name: room.name, kind: 'named', unread: 0, mentions: 0, muted: false, role: 'member' });
    }
    void this.refreshRooms();
  }

  // ---- reports ----

  /** Reports someone else's message to the room's moderators; says so once sent. Refusals are thrown for the form. */
  async reportMessage(roomId: string, messageId: string, reason: string): Promise<void> {
    await this.moderation(() => this.api.reportMessage(roomId, messageId, reason));
    if (!this.stopped) this.showNotice(REPORTED_NOTICE);
  }

  /**
   * A page of a room's reports, open or closed, newest first, dated before `before` (moderators
   * and up); open ones also go into the store. The names in them are kept.
   */
  async reports(roomId: string, status: 'open' | 'closed', before?: number): Promise<ReportItem[]> {
    const epoch = this.epoch;
    const page = await this.moderation(() => this.api.reports(roomId, { status, before, limit: REPORTS_PAGE_SIZE }));
    if (this.stopped) return [];
    this.seeReportUsers(page);
    const items = page.map(reportFromView);
    if (status === 'open') {
      const open = items.filter((r) => !this.closedReports.has(r.id));
      // The first page of a list emptied by a reconnect since is the effects' to fetch.
      if (epoch === this.epoch) this.dispatch({ type: 'reportsListed', roomId, reports: open, loaded: before === undefined });
      return open;
    }
    return items;
  }

  /** Closes a report as resolved or dismissed. One closed already leaves the open list too, and is thrown. */
  async closeReport(roomId: string, reportId: string, verdict: Verdict): Promise<ReportItem> {
    this.closedHere.add(reportId);
    try {
      const report = await this.moderation(() => this.api.closeReport(roomId, reportId, verdict));
      this.closedReports.add(reportId);
      if (!this.stopped) {
        this.seeReportUsers([report]);
        this.dispatch({ type: 'reportClosed', roomId, reportId });
      }
      return reportFromView(report);
    } catch (e) {
      if (isApiError(e) && (e.error === 'already_closed' || e.status === 404)) {
        this.closedReports.add(reportId);
        if (!this.stopped) this.dispatch({ type: 'reportClosed', roomId, reportId });
      } else {
        this.closedHere.delete(reportId);
      }
      throw e;
    }
  }

  /** Deletes a message as a moderator (from the reports tab, where it may not be loaded); refusals are thrown. */
  async moderatorDelete(roomId: string, messageId: string): Promise<void> {
    const tombstone = await this.moderation(() => this.api.deleteMessage(roomId, messageId));
    if (!this.stopped) this.dispatch({ type: 'messageChanged', message: tombstone });
  }

  discover(q: string, offset: number): Promise<JoinablePage> {
    return this.api.discover(q, offset, 20);
  }
}

/** The REST request that makes a change; it answers with the message as it is then. */
function changeRequest(api: Api, c: PendingChange): Promise<Message> {
  const { roomId, messageId, change } = c;
  switch (change.kind) {
    case 'edit':
      return api.editMessage(roomId, messageId, change.text);
    case 'delete':
      return api.deleteMessage(roomId, messageId);
    case 'react':
      return change.add ? api.addReaction(roomId, messageId, change.emoji) : api.removeReaction(roomId, messageId, change.emoji);
  }
}

/** The frame that makes a change. */
function changeFrame(c: PendingChange): ClientEvent {
  const { roomId, messageId, clientId, change } = c;
  switch (change.kind) {
    case 'edit':
      return { type: 'edit', data: { roomId, messageId, message: change.text, clientId } };
    case 'delete':
      return { type: 'delete', data: { roomId, messageId, clientId } };
    case 'react':
      return { type: 'react', data: { roomId, messageId, emoji: change.emoji, add: change.add, clientId } };
  }
}
