import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Message, Reaction, ReplyQuote, User } from '../api/types';
import type { ChatController } from '../controller/ChatController';
import type { PendingChange } from '../state/chat';
import { fullTime, messageTime } from '../state/format';
import { splitMentions } from '../state/mentions';
import { reactedBy } from '../state/messages';
import { REPORT_REASON_MAX, reportErrorText } from '../state/reports';
import { isBlank, isTooLong, MAX_MESSAGE_CHARS } from '../state/text';
import { quoteText } from '../state/uploads';
import { Attachments } from './Attachments';
import { ClockIcon } from './icons';
import { MessageActions } from './MessageActions';

interface Props {
  message: Message;
  mine: boolean;
  /** The user may delete it: their own, or anyone's as a moderator of the room. */
  canDelete: boolean;
  /** The user may report it to the room's moderators. */
  canReport: boolean;
  users: Record<string, User>;
  meId: string | undefined;
  /** Edits, deletions and reactions of this message in flight or refused. */
  changes: PendingChange[];
  editing: boolean;
  /** Briefly highlighted: the user jumped here from a reply. */
  flash: boolean;
  controller: ChatController;
  onEditing(editing: boolean): void;
  /** Shows the message with this id (the parent of a reply). */
  onJump(messageId: string): void;
  /** The parent of a reply when it is loaded and has no text: its quote names its files. */
  quoted?: Message;
}

const nameOf = (users: Record<string, User>, id: string) => users[id]?.username ?? `User ${id}`;

/** One confirmed message: its quote, text (or tombstone, or editor), reactions and actions. */
export function MessageBubble({ message: m, mine, canDelete, canReport, users, meId, changes, editing, flash, controller, onEditing, onJump, quoted }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [reporting, setReporting] = useState(false);
  const bubble = useRef<HTMLDivElement>(null);
  const sendingEdit = changes.find((c) => c.status === 'sending' && c.change.kind === 'edit');
  const deleting = changes.some((c) => c.status === 'sending' && c.change.kind === 'delete');
  const classes = ['bubble', sendingEdit || deleting ? 'pending' : '', flash ? 'flash' : ''].filter(Boolean).join(' ');

  function finishEditing(text: string | null) {
    if (text !== null && text !== m.message) controller.editMessage(m.roomId, m.id, text);
    onEditing(false);
    bubble.current?.focus();
  }

  if (m.deleted) {
    return (
      <div className={flash ? 'bubble deleted flash' : 'bubble deleted'} data-message-id={m.id} ref={bubble} tabIndex={-1}>
        <p className="tombstone">{tombstoneText(m)}</p>
        <Time m={m} />
      </div>
    );
  }

  const text = sendingEdit?.change.kind === 'edit' ? sendingEdit.change.text : m.message;
  return (
    <div className={classes} data-message-id={m.id} ref={bubble} tabIndex={-1}>
      {m.replyTo && <Quote quote={m.replyTo} parent={quoted} users={users} onJump={onJump} />}
      {editing ? (
        <EditBox initial={m.message} onDone={finishEditing} />
      ) : (
        // Files alone: no empty text block above them.
        text !== '' && <MessageText text={text} mentions={m.mentions ?? []} users={users} meId={meId} />
      )}
      {m.attachments && m.attachments.length > 0 && <Attachments attachments={m.attachments} />}
      <Time m={m} />
      {sendingEdit && <span className="status-note">Saving…</span>}
      {deleting && <span className="status-note">Deleting…</span>}
      <Reactions
        reactions={m.reactions ?? []}
        nameOf={(id) => (id === meId ? 'You' : nameOf(users, id))}
        onToggle={(emoji) => controller.toggleReaction(m.roomId, m.id, emoji)}
      />
      {reporting ? (
        <ReportForm
          onReport={(reason) => controller.reportMessage(m.roomId, m.id, reason)}
          onDone={() => {
            setReporting(false);
            bubble.current?.focus();
          }}
        />
      ) : confirming ? (
        <ConfirmDelete
          onConfirm={() => {
            setConfirming(false);
            controller.deleteMessage(m.roomId, m.id);
          }}
          onCancel={() => {
            setConfirming(false);
            bubble.current?.focus();
          }}
        />
      ) : (
        !editing && (
          <MessageActions
            mine={mine}
            canDelete={canDelete}
            canReport={canReport}
            reactions={m.reactions ?? []}
            onReply={() => controller.startReply(m.id)}
            onReact={(emoji) => controller.toggleReaction(m.roomId, m.id, emoji)}
            onEdit={() => onEditing(true)}
            onDelete={() => setConfirming(true)}
            onReport={() => setReporting(true)}
          />
        )
      )}
      {changes
        .filter((c) => c.status === 'failed')
        .map((c) => (
          <ChangeFailed key={c.clientId} change={c} controller={controller} />
        ))}
    </div>
  );
}

/** What a deleted message shows in its place. */
export function tombstoneText(m: Message): string {
  return m.moderated ? 'Removed by a moderator' : 'This message was deleted';
}

function Time({ m }: { m: Message }) {
  return (
    <>
      <time className="time" dateTime={new Date(m.date * 1000).toISOString()} title={fullTime(m.date)}>
        <ClockIcon /> {messageTime(m.date)}
      </time>
      {m.edited && !m.deleted ? (
        <span className="edited" title={`Edited ${fullTime(m.edited)}`}>
          edited
        </span>
      ) : null}
    </>
  );
}

/** The text, with the `@name`s the server recognised highlighted (as text, never HTML). */
export function MessageText({ text, mentions, users, meId }: { text: string; mentions: readonly string[]; users: Record<string, User>; meId: string | undefined }) {
  const names = new Map<string, 'me' | 'other'>();
  for (const id of mentions) {
    const name = users[id]?.username;
    if (name) names.set(name, id === meId ? 'me' : 'other');
  }
  return (
    <p className="text">
      {splitMentions(text, names).map((run, i) =>
        run.mention ? (
          <span key={i} className={run.mention === 'me' ? 'mention me' : 'mention'}>
            {run.text}
          </span>
        ) : (
          run.text
        ),
      )}
    </p>
  );
}

/** The parent of a reply: who wrote it and how it starts (or its files); a click shows it. */
export function Quote({
  quote,
  parent,
  users,
  onJump,
}: {
  quote: ReplyQuote;
  /** The parent, when loaded: a quote without text names its files. */
  parent?: Message;
  users: Record<string, User>;
  onJump?(id: string): void;
}) {
  if (!quote.deleted && !quote.from) {
    return <div className="quote quote-gone">Original message unavailable</div>;
  }
  const body = quote.deleted ? (
    <span className="quote-text">Original message was deleted</span>
  ) : (
    <>
      <span className="sr-only">In reply to </span>
      <span className="quote-from">{nameOf(users, quote.from ?? '')}</span>
      <span className="quote-text">{quoteText(quote, parent)}</span>
    </>
  );
  const className = quote.deleted ? 'quote quote-gone' : 'quote';
  if (!onJump) return <div className={className}>{body}</div>;
  return (
    <button type="button" className={className} onClick={() => onJump(quote.id)} title="Show the original message">
      {body}
    </button>
  );
}

function Reactions({
  reactions,
  nameOf,
  onToggle,
}: {
  reactions: readonly Reaction[];
  nameOf(id: string): string;
  onToggle(emoji: string): void;
}) {
  if (reactions.length === 0) return null;
  return (
    <div className="reactions" role="group" aria-label="Reactions">
      {reactions.map((r) => {
        const who = reactedBy(r, nameOf);
        const action = r.mine ? 'Take back your reaction' : `React with ${r.emoji}`;
        return (
          <button
            type="button"
            key={r.emoji}
            className={r.mine ? 'reaction mine' : 'reaction'}
            aria-pressed={r.mine}
            data-emoji={r.emoji}
            title={who ? `${who} reacted with ${r.emoji}. ${action}.` : action}
            onClick={() => onToggle(r.emoji)}
          >
            {r.emoji} {r.count}
          </button>
        );
      })}
    </div>
  );
}

/** Inline editor: Enter saves, Shift+Enter makes a new line, Escape cancels. `null`: cancelled. */
function EditBox({ initial, onDone }: { initial: string; onDone(text: string | null): void }) {
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  const tooLong = isTooLong(text);
  const canSave = !isBlank(text) && !tooLong;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onDone(null);
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (canSave) onDone(text);
    }
  }

  return (
    <div className="edit-box">
      <textarea
        ref={ref}
        value={text}
        rows={Math.min(6, text.split('\n').length)}
        aria-label="Edit message"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-invalid={tooLong ? true : undefined}
      />
      <div className="edit-actions">
        <span className="edit-hint">{tooLong ? `At most ${MAX_MESSAGE_CHARS} characters.` : 'Enter to save, Esc to cancel'}</span>
        <button type="button" className="btn-link" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="button" className="btn-link" onClick={() => onDone(text)} disabled={!canSave}>
          Save
        </button>
      </div>
    </div>
  );
}

function ConfirmDelete({ onConfirm, onCancel }: { onConfirm(): void; onCancel(): void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      className="confirm-delete"
      role="group"
      aria-label="Delete this message?"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <span>Delete this message?</span>
      <button type="button" className="btn-link danger" onClick={onConfirm}>
        Yes, delete
      </button>
      <button type="button" className="btn-link" ref={cancel} onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** Why the message should be looked at, then send; the focus starts in the reason, Escape cancels. */
function ReportForm({ onReport, onDone }: { onReport(reason: string): Promise<void>; onDone(): void }) {
  const reasonId = useId();
  const hintId = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    ref.current?.focus();
    return () => {
      live.current = false;
    };
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (isBlank(reason)) {
      setError('Say why you report it.');
      ref.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onReport(reason.trim());
      if (live.current) onDone();
    } catch (err) {
      if (!live.current) return;
      setError(reportErrorText(err));
      setBusy(false);
      ref.current?.focus();
    }
  }

  return (
    <form
      className="report-form"
      aria-label="Report this message"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) {
          e.stopPropagation();
          onDone();
        }
      }}
      noValidate
    >
      <label htmlFor={reasonId}>Reason</label>
      <textarea
        id={reasonId}
        ref={ref}
        rows={2}
        value={reason}
        maxLength={REPORT_REASON_MAX}
        placeholder="What is wrong with it? Only the room's moderators see this."
        aria-describedby={hintId}
        aria-invalid={error ? true : undefined}
        aria-required="true"
        onChange={(e) => {
          setReason(e.target.value);
          setError(null);
        }}
        disabled={busy}
      />
      <p className="field-hint" id={hintId}>
        Required, at most {REPORT_REASON_MAX} characters. The moderators see the message as it is now.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="edit-actions">
        <button type="button" className="btn-link" onClick={onDone} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="btn-link danger" disabled={busy}>
          {busy ? 'Sending…' : 'Send report'}
        </button>
      </div>
    </form>
  );
}

const FAILED: Record<PendingChange['change']['kind'], string> = {
  edit: 'Not edited',
  delete: 'Not deleted',
  react: 'Reaction not saved',
};

/** A change the server refused (or never answered), with the server's reason. */
function ChangeFailed({ change, controller }: { change: PendingChange; controller: ChatController }) {
  return (
    <div className="send-failed" role="alert">
      <span>
        {FAILED[change.change.kind]}
        {change.error ? `: ${change.error}` : '.'}
      </span>
      <button type="button" className="btn-link" onClick={() => controller.retryChange(change.clientId)}>
        Retry
      </button>
      <button type="button" className="btn-link" onClick={() => controller.dismissChange(change.clientId)}>
        Dismiss
      </button>
    </div>
  );
}
