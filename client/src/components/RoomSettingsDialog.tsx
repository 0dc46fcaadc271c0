import { useEffect, useId, useReducer, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { AuditEntry, Ban, Member, Role, Visibility } from '../api/types';
import { AUDIT_PAGE_SIZE, type ChatController } from '../controller/ChatController';
import { useNow } from '../hooks/useChat';
import { useModal } from '../hooks/useModal';
import { openReports, userName, type ChatState, type RoomState } from '../state/chat';
import { fullTime } from '../state/format';
import { lookupErrorText } from '../state/invites';
import { countLabel } from '../state/reports';
import {
  auditLine,
  BAN_DURATIONS,
  BAN_REASON_MAX,
  canActOn,
  canChangeVisibility,
  canMute,
  canRemoveMembers,
  isModerator,
  leaveErrorText,
  moderationErrorText,
  MUTE_DURATIONS,
  roleChoices,
  roleLabel,
  settingsTabs,
  stepDownRoles,
  type SettingsTab as Tab,
} from '../state/roles';
import { banExpiry, bansReducer, emptyList, muteLabel, mutedUntil, rosterReducer } from '../state/roster';
import { InviteTab } from './InviteTab';
import { LockIcon } from './icons';
import { InlineConfirm, useLive, useLoader, type TabProps } from './panelParts';
import { ReportsTab } from './ReportsTab';

interface Props {
  state: ChatState;
  room: RoomState;
  controller: ChatController;
  onClose(): void;
}

const TAB_LABELS: Record<Tab, string> = { members: 'Members', invite: 'Invite', reports: 'Reports', bans: 'Bans', audit: 'Audit log' };

/**
 * A room's members and their roles, inviting to it, its reports, bans and audit log, whether
 * it is public or private, and leaving it.
 */
export function RoomSettingsDialog({ state, room, controller, onClose }: Props) {
  const titleId = useId();
  const tabIds = { members: useId(), invite: useId(), reports: useId(), bans: useId(), audit: useId() };
  const panelId = useId();
  const tabs = settingsTabs(room.kind, room.role, room.visibility);
  const reportCount = openReports(state, room.id).items.length;
  const [chosen, setChosen] = useState<Tab>('members');
  // A role lowered meanwhile may close a tab.
  const tab = tabs.includes(chosen) ? chosen : 'members';
  const tabRefs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  const firstTab = useRef<HTMLButtonElement>(null);
  const { dialog, onKeyDown } = useModal(onClose, firstTab);
  const title = room.kind === 'named' ? `# ${room.name}` : room.name;

  function onTabKey(e: KeyboardEvent<HTMLDivElement>) {
    const at = tabs.indexOf(tab);
    let next: Tab | undefined;
    if (e.key === 'ArrowRight') next = tabs[(at + 1) % tabs.length];
    else if (e.key === 'ArrowLeft') next = tabs[(at - 1 + tabs.length) % tabs.length];
    else if (e.key === 'Home') next = tabs[0];
    else if (e.key === 'End') next = tabs[tabs.length - 1];
    if (!next) return;
    e.preventDefault();
    setChosen(next);
    tabRefs.current[next]?.focus();
  }

  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="dialog settings-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={dialog}
        onKeyDown={onKeyDown}
      >
        <div className="dialog-head">
          <h2 id={titleId}>Room settings</h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        <p className="dialog-sub">
          <strong>{title}</strong>
          {room.visibility === 'private' && (
            <>
              {' · '}
              <span className="private-mark">
                <LockIcon size={12} /> Private room
              </span>
            </>
          )}
          {room.visibility === 'public' && <span> · Public room</span>} · Your role: {roleLabel(room.role)}
        </p>
        {canChangeVisibility(room.kind, room.role) && <VisibilitySection room={room} controller={controller} />}
        <div className="tabs" role="tablist" aria-label="Room settings" onKeyDown={onTabKey}>
          {tabs.map((t, i) => (
            <button
              key={t}
              type="button"
              role="tab"
              id={tabIds[t]}
              ref={(el) => {
                tabRefs.current[t] = el;
                if (i === 0) firstTab.current = el;
              }}
              aria-selected={tab === t}
              aria-controls={panelId}
              tabIndex={tab === t ? 0 : -1}
              className={tab === t ? 'tab active' : 'tab'}
              aria-label={t === 'reports' && reportCount > 0 ? `${TAB_LABELS[t]}, ${reportCount} open` : undefined}
              onClick={() => setChosen(t)}
            >
              {TAB_LABELS[t]}
              {t === 'reports' && reportCount > 0 && (
                <span className="badge tab-badge" aria-hidden="true">
                  {countLabel(reportCount)}
                </span>
              )}
            </button>
          ))}
        </div>
        <div className="tab-panel" role="tabpanel" id={panelId} aria-labelledby={tabIds[tab]}>
          {tab === 'members' && <MembersTab key="members" state={state} room={room} controller={controller} />}
          {tab === 'invite' && <InviteTab key="invite" state={state} room={room} controller={controller} />}
          {tab === 'reports' && <ReportsTab key="reports" state={state} room={room} controller={controller} />}
          {tab === 'bans' && <BansTab key="bans" state={state} room={room} controller={controller} />}
          {tab === 'audit' && <AuditTab key="audit" state={state} room={room} controller={controller} />}
        </div>
        {room.kind === 'named' && <LeaveSection room={room} controller={controller} />}
      </div>
    </div>
  );
}

// ---- visibility ----

const VISIBILITY_CHOICES: readonly { value: Visibility; label: string; note: string }[] = [
  { value: 'public', label: 'Public', note: 'Anyone can find it and join.' },
  { value: 'private', label: 'Private', note: 'Unlisted; people join only when invited.' },
];

/** Admins and owners make the room public or private; every member's screen follows (`room.updated`). */
function VisibilitySection({ room, controller }: { room: RoomState; controller: ChatController }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = useLive();
  const name = useId();
  // The choice shows at once; the room's own value takes over once the server has answered.
  const [chosen, setChosen] = useState<Visibility | null>(null);
  const current = chosen ?? room.visibility ?? 'public';

  async function choose(visibility: Visibility) {
    if (visibility === current || busy) return;
    setChosen(visibility);
    setBusy(true);
    setError(null);
    try {
      await controller.setVisibility(room.id, visibility);
    } catch (e) {
      if (live.current) setError(moderationErrorText(e, 'Could not change who can join.'));
    } finally {
      if (live.current) {
        setChosen(null);
        setBusy(false);
      }
    }
  }

  return (
    <fieldset className="visibility" disabled={busy}>
      <legend>Who can join</legend>
      {VISIBILITY_CHOICES.map((c) => (
        <label key={c.value} className="visibility-choice">
          <input type="radio" name={name} value={c.value} checked={current === c.value} onChange={() => void choose(c.value)} />
          <span>
            <strong>{c.label}</strong> <span className="inline-note">{c.note}</span>
          </span>
        </label>
      ))}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

// ---- members ----

function MembersTab({ state, room, controller }: TabProps) {
  const [roster, dispatch] = useReducer(rosterReducer, emptyList<Member>());
  const { loading, error, run, live } = useLoader();
  // A mute that ends drops its "Muted until" by itself.
  const now = useNow(30_000);

  useEffect(() => {
    void run(async () => {
      const page = await controller.members(room.id);
      if (live.current) dispatch({ type: 'page', items: page.items, next: page.next, reset: true });
    }, 'Could not load the members.');
    // Others' changes, live: a role given, a member muted, removed or banned.
    return controller.onMemberEvent((e) => {
      if (e.data.roomId !== room.id) return;
      if (e.type === 'member.role') dispatch({ type: 'role', userId: e.data.userId, role: e.data.role });
      else if (e.type === 'member.muted') dispatch({ type: 'muted', userId: e.data.userId, until: e.data.until });
      else dispatch({ type: 'removed', userId: e.data.userId });
    });
    // Once per room: the panel is keyed by it.
  }, [controller, room.id]);

  function more() {
    const cursor = roster.next;
    if (!cursor) return;
    void run(async () => {
      const page = await controller.members(room.id, cursor);
      if (live.current) dispatch({ type: 'page', items: page.items, next: page.next });
    }, 'Could not load more members.');
  }

  return (
    <div className="settings-tab">
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="member-list" aria-label="Members" aria-busy={loading}>
        {roster.items.map((m) => (
          <MemberRow
            key={m.user.id}
            member={m}
            me={m.user.id === state.me?.id}
            online={state.users[m.user.id]?.online ?? m.user.online}
            mutedUntil={mutedUntil(m, now)}
            room={room}
            controller={controller}
            onRole={(role) => dispatch({ type: 'role', userId: m.user.id, role })}
            onMuted={(until) => dispatch({ type: 'muted', userId: m.user.id, until })}
            onRemoved={() => dispatch({ type: 'removed', userId: m.user.id })}
          />
        ))}
      </ul>
      {loading && !roster.loaded && (
        <p className="section-empty" role="status">
          Loading members…
        </p>
      )}
      {roster.next && (
        <button type="button" className="btn btn-ghost load-more" onClick={more} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

type RowMode = { kind: 'idle' } | { kind: 'remove' } | { kind: 'ban' } | { kind: 'mute' } | { kind: 'stepDown'; role: Role };

interface RowProps {
  member: Member;
  me: boolean;
  online: boolean;
  /** When their mute ends (unix seconds); null when they are not muted. */
  mutedUntil: number | null;
  room: RoomState;
  controller: ChatController;
  onRole(role: Role): void;
  /** Muted until then, or the mute lifted (undefined). */
  onMuted(until: number | undefined): void;
  onRemoved(): void;
}

/** One member: their name and role, and what the user's role allows them to do to them. */
function MemberRow({ member, me, online, mutedUntil, room, controller, onRole, onMuted, onRemoved }: RowProps) {
  const roleId = useId();
  const name = member.user.username;
  const [mode, setMode] = useState<RowMode>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const removeButton = useRef<HTMLButtonElement>(null);
  const banButton = useRef<HTMLButtonElement>(null);
  const muteButton = useRef<HTMLButtonElement>(null);
  const roleSelect = useRef<HTMLSelectElement>(null);
  const live = useLive();

  const choices = me ? (room.kind === 'direct' ? [] : [member.role, ...stepDownRoles(member.role)]) : roleChoices(room.role, member.role);
  const canRemove = !me && isModerator(room.role) && canActOn(room.role, member.role) && canRemoveMembers(room.kind);
  const mayMute = canMute(room.kind, room.role, member.role, me);

  async function act(request: () => Promise<void>, fallback: string, done: () => void): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await request();
      if (!live.current) return;
      setMode({ kind: 'idle' });
      done();
    } catch (e) {
      if (live.current) setError(moderationErrorText(e, fallback));
    } finally {
      if (live.current) setBusy(false);
    }
  }

  function chooseRole(role: Role) {
    if (role === member.role) return;
    // Stepping down cannot be undone by oneself: ask first.
    if (me) {
      setMode({ kind: 'stepDown', role });
      return;
    }
    void act(() => controller.setRole(room.id, member.user.id, role), 'Could not change the role.', () => onRole(role));
  }

  function cancel(focus: { current: HTMLElement | null }) {
    setMode({ kind: 'idle' });
    setError(null);
    // After the re-render, the button that asked gets the focus back.
    setTimeout(() => focus.current?.focus(), 0);
  }

  return (
    <li className="member-row" data-user-id={member.user.id}>
      <div className="member-main">
        <span className={online ? 'dot on' : 'dot'} aria-label={online ? 'online' : 'offline'} role="img" />
        <span className="member-name">
          {name}
          {me && <span className="member-you"> (you)</span>}
        </span>
        {choices.length > 1 ? (
          <>
            <label className="sr-only" htmlFor={roleId}>
              {me ? 'Your role' : `Role of ${name}`}
            </label>
            <select
              id={roleId}
              ref={roleSelect}
              className="role-select"
              value={mode.kind === 'stepDown' ? mode.role : member.role}
              disabled={busy || mode.kind !== 'idle'}
              onChange={(e) => chooseRole(e.target.value as Role)}
            >
              {choices.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
          </>
        ) : (
          <span className={`role-badge role-${member.role}`}>{roleLabel(member.role)}</span>
        )}
        {(canRemove || mayMute) && mode.kind === 'idle' && (
          <span className="member-actions">
            {mayMute &&
              (mutedUntil !== null ? (
                <button
                  type="button"
                  className="btn-link"
                  disabled={busy}
                  aria-label={`Unmute ${name}`}
                  onClick={() =>
                    void act(() => controller.unmuteMember(room.id, member.user.id), 'Could not lift the mute.', () => onMuted(undefined))
                  }
                >
                  {busy ? 'Unmuting…' : 'Unmute'}
                </button>
              ) : (
                <button
                  type="button"
                  ref={muteButton}
                  className="btn-link"
                  disabled={busy}
                  aria-label={`Mute ${name}`}
                  onClick={() => {
                    setError(null);
                    setMode({ kind: 'mute' });
                  }}
                >
                  Mute
                </button>
              ))}
          </span>
        )}
        {canRemove && mode.kind === 'idle' && (
          <span className="member-actions">
            <button
              type="button"
              ref={removeButton}
              className="btn-link"
              disabled={busy}
              aria-label={`Remove ${name}`}
              onClick={() => {
                setError(null);
                setMode({ kind: 'remove' });
              }}
            >
              Remove
            </button>
            <button
              type="button"
              ref={banButton}
              className="btn-link danger"
              disabled={busy}
              aria-label={`Ban ${name}`}
              onClick={() => {
                setError(null);
                setMode({ kind: 'ban' });
              }}
            >
              Ban
            </button>
          </span>
        )}
      </div>
      {mode.kind === 'remove' && (
        <InlineConfirm
          question={`Remove ${name} from the room?`}
          note="They can join again."
          yes={busy ? 'Removing…' : 'Yes, remove'}
          busy={busy}
          onYes={() => void act(() => controller.kick(room.id, member.user.id), 'Could not remove them.', onRemoved)}
          onNo={() => cancel(removeButton)}
        />
      )}
      {mode.kind === 'stepDown' && (
        <InlineConfirm
          question={`Step down to ${roleLabel(mode.role).toLowerCase()}?`}
          note="You cannot undo this yourself."
          yes={busy ? 'Stepping down…' : 'Yes, step down'}
          busy={busy}
          onYes={() => {
            const role = mode.role;
            void act(() => controller.setRole(room.id, member.user.id, role), 'Could not change your role.', () => onRole(role));
          }}
          onNo={() => cancel(roleSelect)}
        />
      )}
      {mutedUntil !== null && <span className="member-muted">{muteLabel(mutedUntil)}</span>}
      {mode.kind === 'mute' && (
        <MuteForm
          name={name}
          busy={busy}
          onMute={(secs) => {
            const until = Date.now() / 1000 + secs;
            void act(() => controller.muteMember(room.id, member.user.id, secs), 'Could not mute them.', () => onMuted(until));
          }}
          onCancel={() => cancel(muteButton)}
        />
      )}
      {mode.kind === 'ban' && (
        <BanForm
          name={name}
          busy={busy}
          onBan={(reason, secs) =>
            void act(() => controller.ban(room.id, member.user.id, reason, secs), 'Could not ban them.', onRemoved)
          }
          onCancel={() => cancel(banButton)}
        />
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

interface MuteFormProps {
  name: string;
  busy: boolean;
  onMute(expiresInSecs: number): void;
  onCancel(): void;
}

/** For how long, then mute: they read, but post, edit and react nothing. */
function MuteForm({ name, busy, onMute, onCancel }: MuteFormProps) {
  const durationId = useId();
  const [duration, setDuration] = useState(0);
  const durationRef = useRef<HTMLSelectElement>(null);
  useEffect(() => durationRef.current?.focus(), []);

  function submit(e: FormEvent) {
    e.preventDefault();
    const secs = MUTE_DURATIONS[duration]?.secs;
    if (busy || secs === undefined) return;
    onMute(secs);
  }

  return (
    <form
      className="ban-form mute-form"
      aria-label={`Mute ${name}`}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) {
          e.stopPropagation();
          onCancel();
        }
      }}
      noValidate
    >
      <p className="field-hint">They can still read the room, but not post, edit or react.</p>
      <label htmlFor={durationId}>Read-only for</label>
      <select id={durationId} ref={durationRef} value={duration} onChange={(e) => setDuration(Number(e.target.value))} disabled={busy}>
        {MUTE_DURATIONS.map((d, i) => (
          <option key={d.label} value={i}>
            {d.label}
          </option>
        ))}
      </select>
      <div className="ban-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {busy ? 'Muting…' : `Mute ${name}`}
        </button>
      </div>
    </form>
  );
}

interface BanFormProps {
  name: string;
  busy: boolean;
  onBan(reason: string, expiresInSecs: number | undefined): void;
  onCancel(): void;
}

/** Why and for how long, then ban. */
function BanForm({ name, busy, onBan, onCancel }: BanFormProps) {
  const reasonId = useId();
  const durationId = useId();
  const hintId = useId();
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState(0);
  const reasonRef = useRef<HTMLInputElement>(null);
  useEffect(() => reasonRef.current?.focus(), []);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    onBan(reason.trim(), BAN_DURATIONS[duration]?.secs);
  }

  return (
    <form
      className="ban-form"
      aria-label={`Ban ${name}`}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) {
          e.stopPropagation();
          onCancel();
        }
      }}
      noValidate
    >
      <label htmlFor={reasonId}>Reason</label>
      <input
        id={reasonId}
        ref={reasonRef}
        value={reason}
        maxLength={BAN_REASON_MAX}
        placeholder="Shown to moderators and to them"
        aria-describedby={hintId}
        onChange={(e) => setReason(e.target.value)}
        disabled={busy}
      />
      <p className="field-hint" id={hintId}>
        Optional, at most {BAN_REASON_MAX} characters.
      </p>
      <label htmlFor={durationId}>Duration</label>
      <select id={durationId} value={duration} onChange={(e) => setDuration(Number(e.target.value))} disabled={busy}>
        {BAN_DURATIONS.map((d, i) => (
          <option key={d.label} value={i}>
            {d.label}
          </option>
        ))}
      </select>
      <div className="ban-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {busy ? 'Banning…' : `Ban ${name}`}
        </button>
      </div>
    </form>
  );
}

// ---- bans ----

function BansTab({ state, room, controller }: TabProps) {
  const [bans, dispatch] = useReducer(bansReducer, emptyList<Ban>());
  const { loading, error, run, live } = useLoader();
  const [lifting, setLifting] = useState<string | null>(null);
  const [liftError, setLiftError] = useState<{ userId: string; text: string } | null>(null);

  const load = () =>
    run(async () => {
      const page = await controller.bans(room.id);
      if (live.current) dispatch({ type: 'page', items: page.items, next: page.next, reset: true });
    }, 'Could not load the bans.');

  useEffect(() => {
    void load();
    // A ban given meanwhile (here or by another moderator) shows up.
    return controller.onMemberEvent((e) => {
      if (e.data.roomId === room.id && e.type === 'member.banned') void load();
    });
  }, [controller, room.id]);

  function more() {
    const cursor = bans.next;
    if (!cursor) return;
    void run(async () => {
      const page = await controller.bans(room.id, cursor);
      if (live.current) dispatch({ type: 'page', items: page.items, next: page.next });
    }, 'Could not load more bans.');
  }

  async function lift(userId: string) {
    setLifting(userId);
    setLiftError(null);
    try {
      await controller.unban(room.id, userId);
      if (live.current) dispatch({ type: 'lifted', userId });
    } catch (e) {
      if (live.current) setLiftError({ userId, text: moderationErrorText(e, 'Could not lift the ban.') });
    } finally {
      if (live.current) setLifting(null);
    }
  }

  return (
    <div className="settings-tab">
      <BanByName state={state} room={room} controller={controller} onBanned={() => void load()} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="member-list" aria-label="Bans" aria-busy={loading}>
        {bans.items.map((b) => (
          <li key={b.user.id} className="member-row ban-row" data-user-id={b.user.id}>
            <div className="member-main">
              <span className="member-name">{b.user.username}</span>
              <span className="member-actions">
                <button
                  type="button"
                  className="btn-link"
                  disabled={lifting !== null}
                  aria-label={`Lift the ban on ${b.user.username}`}
                  onClick={() => void lift(b.user.id)}
                >
                  {lifting === b.user.id ? 'Lifting…' : 'Lift'}
                </button>
              </span>
            </div>
            <p className="ban-detail">
              Banned by {userName(state, b.by)} on <time dateTime={new Date(b.date * 1000).toISOString()}>{fullTime(b.date)}</time>,{' '}
              {banExpiry(b)}
            </p>
            <p className="ban-detail">{b.reason ? `Reason: ${b.reason}` : 'No reason given.'}</p>
            {liftError?.userId === b.user.id && (
              <p className="field-error" role="alert">
                {liftError.text}
              </p>
            )}
          </li>
        ))}
      </ul>
      {loading && !bans.loaded && (
        <p className="section-empty" role="status">
          Loading bans…
        </p>
      )}
      {bans.loaded && bans.items.length === 0 && <p className="section-empty">Nobody is banned.</p>}
      {bans.next && (
        <button type="button" className="btn btn-ghost load-more" onClick={more} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

/** Bans someone who is not (or no longer) in the list of members, found by their name. */
function BanByName({ state, room, controller, onBanned }: TabProps & { onBanned(): void }) {
  const nameId = useId();
  const reasonId = useId();
  const durationId = useId();
  const [name, setName] = useState('');
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const live = useLive();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const wanted = name.trim();
    setDone(null);
    if (!wanted) {
      setError('Enter the name of the user to ban.');
      nameRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let user;
      try {
        user = await controller.lookupUser(wanted);
      } catch (err) {
        if (live.current) setError(lookupErrorText(err, wanted));
        return;
      }
      if (user.id === state.me?.id) {
        if (live.current) setError('You cannot ban yourself.');
        return;
      }
      await controller.ban(room.id, user.id, reason.trim(), BAN_DURATIONS[duration]?.secs);
      if (!live.current) return;
      setDone(`${user.username} is banned.`);
      setName('');
      setReason('');
      onBanned();
    } catch (err) {
      if (live.current) setError(moderationErrorText(err, 'Could not ban them.'));
    } finally {
      if (live.current) setBusy(false);
    }
  }

  return (
    <form className="ban-form ban-by-name" aria-label="Ban by name" onSubmit={(e) => void submit(e)} noValidate>
      <h3 className="tab-heading">Ban by name</h3>
      <label htmlFor={nameId}>Name</label>
      <input
        id={nameId}
        ref={nameRef}
        value={name}
        maxLength={64}
        autoComplete="off"
        placeholder="Their username"
        onChange={(e) => {
          setName(e.target.value);
          setError(null);
        }}
        disabled={busy}
        aria-invalid={error ? true : undefined}
      />
      <label htmlFor={reasonId}>Reason</label>
      <input
        id={reasonId}
        value={reason}
        maxLength={BAN_REASON_MAX}
        placeholder="Optional: shown to moderators and to them"
        onChange={(e) => setReason(e.target.value)}
        disabled={busy}
      />
      <label htmlFor={durationId}>Duration</label>
      <select id={durationId} value={duration} onChange={(e) => setDuration(Number(e.target.value))} disabled={busy}>
        {BAN_DURATIONS.map((d, i) => (
          <option key={d.label} value={i}>
            {d.label}
          </option>
        ))}
      </select>
      <div className="ban-actions">
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {busy ? 'Banning…' : 'Ban'}
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="form-success" role="status">
          {done}
        </p>
      )}
    </form>
  );
}

// ---- audit log ----

function AuditTab({ state, room, controller }: TabProps) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const { loading, error, run, live } = useLoader();

  /** Adds entries, newest first, each once. */
  function merge(incoming: readonly AuditEntry[]) {
    setEntries((old) => {
      const byId = new Map(old.map((e) => [e.id, e]));
      for (const e of incoming) byId.set(e.id, e);
      return [...byId.values()].sort((a, b) => b.date - a.date || (a.id < b.id ? 1 : -1));
    });
  }

  useEffect(() => {
    const newest = (first: boolean) =>
      run(async () => {
        const page = await controller.audit(room.id);
        if (!live.current) return;
        merge(page);
        if (first) setMore(page.length >= AUDIT_PAGE_SIZE);
        setLoaded(true);
      }, 'Could not load the audit log.');
    void newest(true);
    // What moderators do meanwhile comes on top.
    return controller.onMemberEvent((e) => {
      if (e.data.roomId === room.id) void newest(false);
    });
  }, [controller, room.id]);

  function older() {
    const last = entries[entries.length - 1];
    if (!last) return;
    void run(async () => {
      const page = await controller.audit(room.id, last.id);
      if (!live.current) return;
      merge(page);
      setMore(page.length >= AUDIT_PAGE_SIZE);
    }, 'Could not load older entries.');
  }

  const nameOf = (id: string) => userName(state, id);
  let body: ReactNode;
  if (loaded && entries.length === 0) body = <p className="section-empty">Nothing yet.</p>;
  else
    body = (
      <ol className="audit-list" aria-label="Audit log" aria-busy={loading}>
        {entries.map((e) => (
          <li key={e.id}>
            <span className="audit-line">{auditLine(e, nameOf)}</span>
            <time className="audit-time" dateTime={new Date(e.date * 1000).toISOString()}>
              {fullTime(e.date)}
            </time>
          </li>
        ))}
      </ol>
    );

  return (
    <div className="settings-tab">
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {body}
      {loading && !loaded && (
        <p className="section-empty" role="status">
          Loading the audit log…
        </p>
      )}
      {more && (
        <button type="button" className="btn btn-ghost load-more" onClick={older} disabled={loading}>
          {loading ? 'Loading…' : 'Load older entries'}
        </button>
      )}
    </div>
  );
}

// ---- leaving ----

function LeaveSection({ room, controller }: { room: RoomState; controller: ChatController }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const leaveButton = useRef<HTMLButtonElement>(null);
  const live = useLive();

  async function leave() {
    setBusy(true);
    setError(null);
    try {
      // On success the room goes, and this panel with it.
      await controller.leave(room.id);
    } catch (e) {
      if (!live.current) return;
      setError(leaveErrorText(e));
      setAsking(false);
      setBusy(false);
      setTimeout(() => leaveButton.current?.focus(), 0);
    }
  }

  return (
    <section className="dialog-section leave-section" aria-label="Leave room">
      {asking ? (
        <InlineConfirm
          question={`Leave # ${room.name}?`}
          yes={busy ? 'Leaving…' : 'Yes, leave'}
          busy={busy}
          onYes={() => void leave()}
          onNo={() => {
            setAsking(false);
            setTimeout(() => leaveButton.current?.focus(), 0);
          }}
        />
      ) : (
        <div className="account-actions">
          <button
            type="button"
            ref={leaveButton}
            className="btn btn-ghost leave-btn"
            onClick={() => {
              setError(null);
              setAsking(true);
            }}
          >
            Leave room
          </button>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
