import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { User } from '../api/types';
import type { ChatController } from '../controller/ChatController';
import { insertMention, mentionAt, mentionCandidates } from '../state/mentions';
import { readOnlyNotice, type ReadOnly } from '../state/readonly';
import { isBlank, isTooLong, MAX_MESSAGE_CHARS } from '../state/text';
import { CloseIcon, SendIcon } from './icons';

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
}

export function Composer({ roomId, roomName, controller, replyTo, people, readOnly = null }: Props) {
  const [text, setText] = useState(() => drafts.get(roomId) ?? '');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  /** Where the `@` of a completion list closed with Escape is: it stays closed. */
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const nextCaret = useRef<number | null>(null);
  const listId = useId();
  const readOnlyId = useId();
  const tooLong = isTooLong(text);

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

  function send() {
    if (isBlank(text) || tooLong || readOnly) return;
    controller.send(text);
    setText('');
    ref.current?.focus();
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
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? optionId(activeIndex) : undefined}
        aria-invalid={tooLong ? true : undefined}
        aria-describedby={readOnly ? readOnlyId : tooLong ? 'composer-too-long' : undefined}
        disabled={readOnly !== null}
      />
      <button className="btn btn-primary send" type="submit" disabled={isBlank(text) || tooLong || readOnly !== null}>
        Send <SendIcon />
      </button>
      {tooLong && (
        <p id="composer-too-long" className="field-error composer-error" role="alert">
          Messages are limited to {MAX_MESSAGE_CHARS} characters.
        </p>
      )}
    </form>
  );
}
