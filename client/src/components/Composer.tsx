import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type ChangeEvent,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import type { User } from '../api/types';
import type { ChatController } from '../controller/ChatController';
import { useNow } from '../hooks/useChat';
import { insertMention, mentionAt, mentionCandidates } from '../state/mentions';
import { readOnlyNotice, type ReadOnly } from '../state/readonly';
import { isTooLong, MAX_MESSAGE_CHARS } from '../state/text';
import { formatSize, outgoing, type PendingUpload } from '../state/uploads';
import { CloseIcon, FileIcon, PaperclipIcon, SendIcon } from './icons';

const drafts = new Map<string, string>();

/** The message the next one answers, as the composer shows it. */
export interface ReplyPreview {
  id: string;
  name: string;
  quote: string;
}

interface Props {
  roomId: string;
  roomName: string;
  controller: ChatController;
  replyTo: ReplyPreview | null;
  /** Whom `@` completes. */
  people: readonly User[];
  /** A moderator made the user read-only here: nothing can be sent until then. */
  readOnly?: ReadOnly | null;
  /** The files attached here, not sent yet. */
  uploads?: readonly PendingUpload[];
}

export function Composer({ roomId, roomName, controller, replyTo, people, readOnly = null, uploads = [] }: Props) {
  const [text, setText] = useState(() => drafts.get(roomId) ?? '');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  /** Where the `@` of a completion list closed with Escape is: it stays closed. */
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  /** The user tried to send while files were uploading: say why nothing went. */
  const [waitNoted, setWaitNoted] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const nextCaret = useRef<number | null>(null);
  const listId = useId();
  const readOnlyId = useId();
  const waitId = useId();
  const tooLong = isTooLong(text);
  const out = outgoing(text, uploads);
  const canSend = out.kind === 'send' && !tooLong && !readOnly;
  const waiting = out.kind === 'uploading';

  const query = mentionAt(text, caret);
  const candidates = query && query.start !== dismissedAt ? mentionCandidates(people, query.query) : [];
  const open = candidates.length > 0;
  const activeIndex = Math.min(active, candidates.length - 1);
  const optionId = (i: number) => `${listId}-${i}`;

  useEffect(() => {
    drafts.set(roomId, text);
  }, [roomId, text]);

  // Grow with the text, up to a few lines.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = '';
    // Hidden (the narrow layout's room list is showing) it has no height to measure.
    if (!text || el.scrollHeight === 0) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight + 2, 140)}px`;
  }, [text]);

  // After a completion, the caret goes behind the inserted name.
  useLayoutEffect(() => {
    const at = nextCaret.current;
    if (at === null || !ref.current) return;
    nextCaret.current = null;
    ref.current.setSelectionRange(at, at);
    setCaret(at);
  }, [text]);

  // Choosing "Reply" brings the user here.
  useEffect(() => {
    if (replyTo) ref.current?.focus();
  }, [replyTo?.id]);

  useEffect(() => {
    if (!waiting) setWaitNoted(false);
  }, [waiting]);

  function send() {
    if (waiting) setWaitNoted(true);
    if (!canSend) return;
    controller.send(text);
    setText('');
    ref.current?.focus();
  }

  function onPicked(e: ChangeEvent<HTMLInputElement>) {
    const files = [...(e.target.files ?? [])];
    // Picking the same file again must fire `change` again.
    e.target.value = '';
    controller.attachFiles(roomId, files);
    ref.current?.focus();
  }

  // A pasted image or file is attached; a paste with text in it pastes the text.
  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...e.clipboardData.files];
    if (files.length === 0 || e.clipboardData.types.includes('text/plain')) return;
    e.preventDefault();
    controller.attachFiles(roomId, files);
  }

  function pick(user: User) {
    if (!query) return;
    const next = insertMention(text, query, caret, user.username);
    nextCaret.current = next.caret;
    setText(next.text);
    setActive(0);
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    send();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    const composing = e.nativeEvent.isComposing;
    if (open && query) {
      const n = candidates.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((activeIndex + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      const chosen = candidates[activeIndex];
      if (chosen && ((e.key === 'Enter' && !e.shiftKey && !composing) || e.key === 'Tab')) {
        e.preventDefault();
        pick(chosen);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissedAt(query.start);
        return;
      }
    }
    if (e.key === 'Escape' && replyTo) {
      e.preventDefault();
      controller.cancelReply();
    } else if (e.key === 'Enter' && !e.shiftKey && !composing) {
      e.preventDefault();
      send();
    }
  }

  return (
    <form className="composer" onSubmit={onSubmit}>
      {readOnly && (
        <p id={readOnlyId} className="composer-readonly" role="status">
          {readOnlyNotice(readOnly)}
        </p>
      )}
      {replyTo && (
        <div className="reply-bar">
          <span className="reply-label">
            Replying to <strong>{replyTo.name}</strong>: <span className="reply-quote">{replyTo.quote}</span>
          </span>
          <button type="button" className="icon-btn" onClick={() => controller.cancelReply()} aria-label="Cancel reply" title="Cancel reply">
            <CloseIcon />
          </button>
        </div>
      )}
      {open && (
        <ul className="mention-list" id={listId} role="listbox" aria-label="Mention someone">
          {candidates.map((u, i) => (
            <li
              key={u.id}
              id={optionId(i)}
              role="option"
              aria-selected={i === activeIndex}
              className={i === activeIndex ? 'mention-option active' : 'mention-option'}
              // Keeps the focus (and the caret) in the textarea.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(u)}
            >
              @{u.username}
            </li>
          ))}
        </ul>
      )}
      {uploads.length > 0 && (
        <ul className="upload-list" aria-label="Attached files">
          {uploads.map((u) => (
            <UploadRow key={u.key} upload={u} onRemove={() => controller.removeUpload(u.key)} onRetry={() => controller.retryUpload(u.key)} />
          ))}
        </ul>
      )}
      <input ref={picker} type="file" multiple className="sr-only" tabIndex={-1} aria-hidden="true" onChange={onPicked} />
      <button
        type="button"
        className="icon-btn attach"
        aria-label="Attach files"
        title="Attach files (or drop them here, or paste them)"
        onClick={() => picker.current?.click()}
        disabled={readOnly !== null}
      >
        <PaperclipIcon />
      </button>
      <textarea
        ref={ref}
        rows={1}
        value={text}
        aria-label="Message"
        placeholder={`Message ${roomName}…`}
        onChange={(e) => {
          setText(e.target.value);
          setCaret(e.target.selectionStart);
          setActive(0);
          if (e.target.value) controller.typing();
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? optionId(activeIndex) : undefined}
        aria-invalid={tooLong ? true : undefined}
        aria-describedby={readOnly ? readOnlyId : tooLong ? 'composer-too-long' : waitNoted ? waitId : undefined}
        disabled={readOnly !== null}
      />
      <button className="btn btn-primary send" type="submit" disabled={!canSend} title={waiting ? 'Waiting for the files to upload' : undefined}>
        Send <SendIcon />
      </button>
      {waitNoted && waiting && (
        <p id={waitId} className="field-hint composer-hint" role="status">
          Files are still uploading: send once they are ready.
        </p>
      )}
      {tooLong && (
        <p id="composer-too-long" className="field-error composer-error" role="alert">
          Messages are limited to {MAX_MESSAGE_CHARS} characters.
        </p>
      )}
    </form>
  );
}

/** One attached file: its name and size, its progress or why it failed, and what can be done with it. */
function UploadRow({ upload: u, onRemove, onRetry }: { upload: PendingUpload; onRemove(): void; onRetry(): void }) {
  const now = useNow(1000, u.status === 'failed' && (u.retryAt ?? 0) > Date.now());
  const wait = u.retryAt !== undefined ? Math.ceil((u.retryAt - now) / 1000) : 0;
  const label = u.status === 'uploading' ? 'Cancel' : 'Remove';
  return (
    <li className={`upload-row ${u.status}`} data-status={u.status}>
      <FileIcon />
      <span className="upload-name" title={u.name}>
        {u.name}
      </span>
      <span className="upload-size">{formatSize(u.size)}</span>
      {u.status === 'uploading' && (
        <span
          className="upload-bar"
          role="progressbar"
          aria-label={`Uploading ${u.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={u.progress}
        >
          <span style={{ width: `${u.progress}%` }} />
        </span>
      )}
      {u.status === 'uploading' && <span className="upload-note">{u.progress < 100 ? `${u.progress}%` : 'Processing…'}</span>}
      {u.status === 'done' && <span className="upload-note ready">Ready</span>}
      {u.status === 'failed' && (
        <span className="upload-error" role="alert">
          {u.error}
          {wait > 0 ? ` Try again in ${wait} s.` : ''}
        </span>
      )}
      {u.status === 'failed' && u.retryable && (
        <button type="button" className="btn-link" onClick={onRetry} disabled={wait > 0} aria-label={`Retry ${u.name}`}>
          Retry
        </button>
      )}
      <button type="button" className="btn-link" onClick={onRemove} aria-label={`${label} ${u.name}`}>
        {label}
      </button>
    </li>
  );
}
