import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ChatController } from '../controller/ChatController';
import { SendIcon } from './icons';
import { isBlank } from '../state/text';

/** The server's limit (MAX_MESSAGE_CHARS in protocol.rs). */
export const MAX_MESSAGE_CHARS = 4000;

const drafts = new Map<string, string>();

interface Props {
  roomId: string;
  roomName: string;
  controller: ChatController;
}

export function Composer({ roomId, roomName, controller }: Props) {
  const [text, setText] = useState(() => drafts.get(roomId) ?? '');
  const ref = useRef<HTMLTextAreaElement>(null);
  const tooLong = [...text].length > MAX_MESSAGE_CHARS;

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

  function send() {
    if (isBlank(text) || tooLong) return;
    controller.send(text);
    setText('');
    ref.current?.focus();
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    send();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  }

  return (
    <form className="composer" onSubmit={onSubmit}>
      <textarea
        ref={ref}
        rows={1}
        value={text}
        aria-label="Message"
        placeholder={`Message ${roomName}…`}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) controller.typing();
        }}
        onKeyDown={onKeyDown}
        aria-invalid={tooLong ? true : undefined}
        aria-describedby={tooLong ? 'composer-too-long' : undefined}
      />
      <button className="btn btn-primary send" type="submit" disabled={isBlank(text) || tooLong}>
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
