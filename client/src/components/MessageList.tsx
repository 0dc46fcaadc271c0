import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Message } from '../api/types';
import type { ChatController } from '../controller/ChatController';
import { userName, type ChatState, type PendingMessage, type RoomState } from '../state/chat';
import { fullTime, messageTime } from '../state/format';
import { groupMessages } from '../state/messages';
import { ClockIcon } from './icons';

interface Props {
  state: ChatState;
  room: RoomState;
  pending: PendingMessage[];
  controller: ChatController;
}

/** How close to the bottom (px) still counts as "following" the conversation. */
const STICK_PX = 120;

export function MessageList({ state, room, pending, controller }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const fromBottom = useRef(0);
  const firstId = useRef<string | undefined>(undefined);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const meId = state.me?.id;
  const groups = groupMessages(room.messages);
  const lastCount = room.messages.length + pending.length;

  // Keep the view where the reader is: at the bottom when following, at the same message
  // when an older page is prepended.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = room.messages[0]?.id;
    const prepended = firstId.current !== undefined && first !== firstId.current && !follow.current;
    firstId.current = first;
    if (follow.current) el.scrollTop = el.scrollHeight;
    else if (prepended) el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom.current;
  }, [room.messages, lastCount]);

  // A message of one's own always brings the view down.
  const ownPending = pending.length;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && ownPending > 0) {
      follow.current = true;
      el.scrollTop = el.scrollHeight;
    }
  }, [ownPending]);

  // Shown again (the narrow layout's room list was in front) or resized: stay at the bottom.
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (follow.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    const dist = el.scrollHeight - el.clientHeight - el.scrollTop;
    fromBottom.current = dist;
    follow.current = dist < STICK_PX;
  }

  async function older() {
    setLoadingOlder(true);
    try {
      await controller.loadOlder(room.id);
    } finally {
      setLoadingOlder(false);
    }
  }

  const openDirect = (userId: string) => void controller.startDirect(userId);

  return (
    <div className="messages" ref={scroller} onScroll={onScroll} role="log" aria-live="polite" aria-relevant="additions" aria-label={`Messages in ${room.name}`} tabIndex={0}>
      {room.olderCursor !== null && room.historyLoaded && (
        <div className="older">
          <button type="button" className="btn btn-ghost" onClick={() => void older()} disabled={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Load older messages'}
          </button>
        </div>
      )}
      {!room.historyLoaded && room.messages.length === 0 && (
        <p className="messages-empty" role="status">
          Loading messages…
        </p>
      )}
      {room.historyLoaded && room.messages.length === 0 && pending.length === 0 && (
        <p className="messages-empty">No messages yet. Say hello!</p>
      )}
      {groups.map((g) => (
        <Group key={g.key} from={g.from} messages={g.messages} mine={g.from === meId} name={userName(state, g.from)} online={state.users[g.from]?.online} onName={openDirect} />
      ))}
      {pending.length > 0 && (
        <div className="group mine" data-pending="true">
          {pending.map((p) => (
            <PendingBubble key={p.clientId} p={p} controller={controller} />
          ))}
        </div>
      )}
    </div>
  );
}

interface GroupProps {
  from: string;
  messages: Message[];
  mine: boolean;
  name: string;
  online: boolean | undefined;
  onName(userId: string): void;
}

function Group({ from, messages, mine, name, online, onName }: GroupProps) {
  return (
    <div className={mine ? 'group mine' : 'group'} data-from={from}>
      <div className="group-head">
        {mine ? (
          <span className="sender">You</span>
        ) : (
          <button type="button" className="sender" onClick={() => onName(from)} title={`Chat with ${name}`}>
            {name}
          </button>
        )}
        {!mine && online !== undefined && <span className={online ? 'dot on' : 'dot'} aria-label={online ? 'online' : 'offline'} />}
      </div>
      {messages.map((m) => (
        <div className="bubble" key={m.id} data-message-id={m.id}>
          <p className="text">{m.message}</p>
          <time className="time" dateTime={new Date(m.date * 1000).toISOString()} title={fullTime(m.date)}>
            <ClockIcon /> {messageTime(m.date)}
          </time>
        </div>
      ))}
    </div>
  );
}

function PendingBubble({ p, controller }: { p: PendingMessage; controller: ChatController }) {
  const failed = p.status === 'failed';
  return (
    <div className={failed ? 'bubble pending failed' : 'bubble pending'} data-client-id={p.clientId} data-status={p.status}>
      <p className="text">{p.message}</p>
      {failed ? (
        <div className="send-failed" role="alert">
          <span>
            Not sent{p.error ? `: ${p.error}` : p.reason === 'disconnected' ? ' (offline, retried on reconnect)' : '.'}
          </span>
          <button type="button" className="btn-link" onClick={() => controller.retry(p.clientId)}>
            Retry
          </button>
          <button type="button" className="btn-link" onClick={() => controller.discard(p.clientId)}>
            Discard
          </button>
        </div>
      ) : (
        <span className="time">Sending…</span>
      )}
    </div>
  );
}
