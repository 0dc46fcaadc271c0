// Pieces the tabs of the room settings panel share: whether a tab is still on screen, a
// loader that shows what failed, and an inline "are you sure?".

import { useEffect, useRef, useState } from 'react';
import type { ChatController } from '../controller/ChatController';
import type { ChatState, RoomState } from '../state/chat';
import { moderationErrorText } from '../state/roles';

export interface TabProps {
  state: ChatState;
  room: RoomState;
  controller: ChatController;
}

/** Whether the component is still on screen: an answer arriving later changes nothing. */
export function useLive() {
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  return live;
}

/** Runs the first load of a tab and its "load more"; `error` and `loading` for the screen. */
export function useLoader() {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const live = useLive();
  async function run(fn: () => Promise<void>, fallback: string): Promise<void> {
    setLoading(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      if (live.current) setError(moderationErrorText(e, fallback));
    } finally {
      if (live.current) setLoading(false);
    }
  }
  return { loading, error, run, live };
}

interface ConfirmProps {
  question: string;
  note?: string;
  yes: string;
  busy: boolean;
  onYes(): void;
  onNo(): void;
}

/** "Are you sure?" under a member; the focus goes to Cancel, Escape cancels. */
export function InlineConfirm({ question, note, yes, busy, onYes, onNo }: ConfirmProps) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      className="inline-confirm"
      role="group"
      aria-label={question}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) {
          e.stopPropagation();
          onNo();
        }
      }}
    >
      <span>
        {question}
        {note && <span className="inline-note"> {note}</span>}
      </span>
      <button type="button" className="btn-link danger" disabled={busy} onClick={onYes}>
        {yes}
      </button>
      <button type="button" className="btn-link" ref={cancel} disabled={busy} onClick={onNo}>
        Cancel
      </button>
    </div>
  );
}
