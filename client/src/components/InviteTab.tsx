// The room settings panel's "Invite" tab: invite someone by name, make an invite link (its
// address shown once, to copy), and for moderators the pending invitations and the links
// that hold, each with Revoke.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Invite, InviteLink } from '../api/types';
import { userName } from '../state/chat';
import { fullTime } from '../state/format';
import {
  inviteErrorText,
  inviteLinkUrl,
  LINK_DURATIONS,
  LINK_MAX_USES,
  linkErrorText,
  linkUses,
  lookupErrorText,
  parseMaxUses,
} from '../state/invites';
import { canManageInvites, moderationErrorText } from '../state/roles';
import { useLive, useLoader, type TabProps } from './panelParts';

export function InviteTab({ state, room, controller }: TabProps) {
  const manage = canManageInvites(room.kind, room.role);
  // Bumped by what this tab makes, so that the moderators' lists show it.
  const [made, setMade] = useState(0);
  return (
    <div className="settings-tab invite-tab">
      <InviteByName state={state} room={room} controller={controller} onInvited={() => setMade((n) => n + 1)} />
      {manage && <PendingInvites state={state} room={room} controller={controller} refresh={made} />}
      <MakeLink state={state} room={room} controller={controller} onMade={() => setMade((n) => n + 1)} />
      {manage && <Links state={state} room={room} controller={controller} refresh={made} />}
    </div>
  );
}

function when(date: number) {
  return <time dateTime={new Date(date * 1000).toISOString()}>{fullTime(date)}</time>;
}

// ---- inviting by name ----

function InviteByName({ state, room, controller, onInvited }: TabProps & { onInvited(): void }) {
  const nameId = useId();
  const [name, setName] = useState('');
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
      setError('Enter the name of the user to invite.');
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
        if (live.current) setError('You are already in this room.');
        return;
      }
      try {
        await controller.invite(room.id, user.id);
      } catch (err) {
        if (live.current) setError(inviteErrorText(err, user.username));
        return;
      }
      if (!live.current) return;
      setDone(`${user.username} is invited: they can accept from their invitations.`);
      setName('');
      onInvited();
    } finally {
      if (live.current) setBusy(false);
      nameRef.current?.focus();
    }
  }

  return (
    <form className="invite-form" aria-label="Invite someone" onSubmit={(e) => void submit(e)} noValidate>
      <h3 className="tab-heading">Invite someone</h3>
      <label htmlFor={nameId}>Username</label>
      <div className="row">
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
          aria-invalid={error ? true : undefined}
          disabled={busy}
        />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Inviting…' : 'Invite'}
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

// ---- pending invitations (moderators and up) ----

function PendingInvites({ state, room, controller, refresh }: TabProps & { refresh: number }) {
  const [invites, setInvites] = useState<Invite[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  const { loading, error, run, live } = useLoader();

  useEffect(() => {
    void run(async () => {
      const page = await controller.roomInvites(room.id);
      if (!live.current) return;
      setInvites(page.items);
      setNext(page.next);
      setLoaded(true);
    }, 'Could not load the invitations.');
  }, [controller, room.id, refresh]);

  function more() {
    const cursor = next;
    if (!cursor) return;
    void run(async () => {
      const page = await controller.roomInvites(room.id, cursor);
      if (!live.current) return;
      setInvites((old) => [...old, ...page.items.filter((i) => !old.some((o) => o.id === i.id))]);
      setNext(page.next);
    }, 'Could not load more invitations.');
  }

  async function revoke(id: string) {
    setRevoking(id);
    setRowError(null);
    try {
      await controller.revokeInvite(room.id, id);
      if (live.current) setInvites((old) => old.filter((i) => i.id !== id));
    } catch (e) {
      if (live.current) setRowError({ id, text: moderationErrorText(e, 'Could not revoke the invitation.') });
    } finally {
      if (live.current) setRevoking(null);
    }
  }

  return (
    <section className="invite-section">
      <h3 className="tab-heading">Pending invitations</h3>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="member-list" aria-label="Pending invitations" aria-busy={loading}>
        {invites.map((i) => (
          <li key={i.id} className="member-row">
            <div className="member-main">
              <span className="member-name">{i.user.username}</span>
              <span className="member-actions">
                <button
                  type="button"
                  className="btn-link danger"
                  disabled={revoking !== null}
                  aria-label={`Revoke the invitation of ${i.user.username}`}
                  onClick={() => void revoke(i.id)}
                >
                  {revoking === i.id ? 'Revoking…' : 'Revoke'}
                </button>
              </span>
            </div>
            <p className="ban-detail">
              Invited by {i.invitedBy.username || userName(state, i.invitedBy.id)} on {when(i.date)}
            </p>
            {rowError?.id === i.id && (
              <p className="field-error" role="alert">
                {rowError.text}
              </p>
            )}
          </li>
        ))}
      </ul>
      {loaded && invites.length === 0 && <p className="section-empty">No pending invitations.</p>}
      {next && (
        <button type="button" className="btn btn-ghost load-more" onClick={more} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

// ---- invite links ----

function MakeLink({ room, controller, onMade }: TabProps & { onMade(): void }) {
  const durationId = useId();
  const usesId = useId();
  const usesHint = useId();
  const urlId = useId();
  const [duration, setDuration] = useState(LINK_DURATIONS.length - 1);
  const [uses, setUses] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);
  const live = useLive();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const maxUses = parseMaxUses(uses);
    if (maxUses === null) {
      setError(`Max uses: a whole number from 1 to ${LINK_MAX_USES.toLocaleString()}, or empty for no limit.`);
      return;
    }
    setBusy(true);
    setError(null);
    setCopied(null);
    try {
      const link = await controller.createInviteLink(room.id, LINK_DURATIONS[duration]?.secs ?? 604_800, maxUses);
      if (!live.current) return;
      setUrl(inviteLinkUrl(link, window.location.origin));
      setUses('');
      onMade();
      setTimeout(() => urlRef.current?.select(), 0);
    } catch (err) {
      if (live.current) setError(linkErrorText(err));
    } finally {
      if (live.current) setBusy(false);
    }
  }

  async function copy() {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      if (live.current) setCopied('Copied.');
    } catch {
      // No clipboard here (not allowed, or not a secure page): the text is selected to copy by hand.
      urlRef.current?.select();
      if (live.current) setCopied('Press Ctrl+C (⌘C) to copy the selected link.');
    }
  }

  return (
    <form className="invite-form" aria-label="Create an invite link" onSubmit={(e) => void submit(e)} noValidate>
      <h3 className="tab-heading">Invite link</h3>
      <p className="section-note">Anyone signed in who opens the link joins the room, until it ends or is used up.</p>
      <div className="link-options">
        <span className="link-option">
          <label htmlFor={durationId}>Expires after</label>
          <select id={durationId} value={duration} onChange={(e) => setDuration(Number(e.target.value))} disabled={busy}>
            {LINK_DURATIONS.map((d, i) => (
              <option key={d.label} value={i}>
                {d.label}
              </option>
            ))}
          </select>
        </span>
        <span className="link-option">
          <label htmlFor={usesId}>Max uses</label>
          <input
            id={usesId}
            type="number"
            inputMode="numeric"
            min={1}
            max={LINK_MAX_USES}
            step={1}
            value={uses}
            placeholder="No limit"
            aria-describedby={usesHint}
            onChange={(e) => {
              setUses(e.target.value);
              setError(null);
            }}
            disabled={busy}
          />
        </span>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create link'}
        </button>
      </div>
      <p className="field-hint" id={usesHint}>
        Max uses is optional (1 to {LINK_MAX_USES.toLocaleString()}).
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {url && (
        <div className="new-link">
          <label htmlFor={urlId}>New invite link</label>
          <div className="row">
            <input id={urlId} ref={urlRef} readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="btn btn-ghost" onClick={() => void copy()}>
              Copy
            </button>
          </div>
          <p className="account-warning">Copy it now: this link is shown only once.</p>
          {copied && (
            <p className="form-success" role="status">
              {copied}
            </p>
          )}
        </div>
      )}
    </form>
  );
}

function Links({ state, room, controller, refresh }: TabProps & { refresh: number }) {
  const [links, setLinks] = useState<InviteLink[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  const { loading, error, run, live } = useLoader();

  useEffect(() => {
    void run(async () => {
      const list = await controller.inviteLinks(room.id);
      if (!live.current) return;
      setLinks(list);
      setLoaded(true);
    }, 'Could not load the invite links.');
  }, [controller, room.id, refresh]);

  async function revoke(id: string) {
    setRevoking(id);
    setRowError(null);
    try {
      await controller.revokeInviteLink(room.id, id);
      if (live.current) setLinks((old) => old.filter((l) => l.id !== id));
    } catch (e) {
      if (live.current) setRowError({ id, text: moderationErrorText(e, 'Could not revoke the link.') });
    } finally {
      if (live.current) setRevoking(null);
    }
  }

  return (
    <section className="invite-section">
      <h3 className="tab-heading">Links that work</h3>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="member-list" aria-label="Invite links" aria-busy={loading}>
        {links.map((l) => (
          <li key={l.id} className="member-row">
            <div className="member-main">
              <span className="member-name">{linkUses(l)}</span>
              <span className="member-actions">
                <button
                  type="button"
                  className="btn-link danger"
                  disabled={revoking !== null}
                  aria-label={`Revoke the link made by ${userName(state, l.by)} on ${fullTime(l.date)}`}
                  onClick={() => void revoke(l.id)}
                >
                  {revoking === l.id ? 'Revoking…' : 'Revoke'}
                </button>
              </span>
            </div>
            <p className="ban-detail">
              Made by {userName(state, l.by)} on {when(l.date)}, ends {when(l.expiresAt)}
            </p>
            {rowError?.id === l.id && (
              <p className="field-error" role="alert">
                {rowError.text}
              </p>
            )}
          </li>
        ))}
      </ul>
      {loaded && links.length === 0 && <p className="section-empty">No invite links.</p>}
    </section>
  );
}
