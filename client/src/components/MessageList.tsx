import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { Message, ReplyQuote, User } from '../api/types';
import type { ChatController } from '../controller/ChatController';
import { changesFor, userName, type ChatState, type PendingMessage, type RoomState } from '../state/chat';
import { groupMessages, quoteOf } from '../state/messages';
import { canReport } from '../state/reports';
import { canDeleteMessage } from '../state/roles';
import { formatSize } from '../state/uploads';
import { FileIcon } from './icons';
import { MessageBubble, Quote } from './MessageBubble';

interface Props {
  state: ChatState;
  room: RoomState;
  pending: PendingMessage[];
  controller: ChatController;
}

/** How close to the bottom (px) still counts as "following" the conversation. */
const STICK_PX = 120;
/** How long a message the user jumped to stays highlighted. */
const FLASH_MS = 2000;

export function MessageList({ state, room, pending, controller }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const fromBottom = useRef(0);
  const firstId = useRef<string | undefined>(undefined);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [jumpTo, setJumpTo] = useState<string | null>(null);
  const [flashId, setFlashId] = useState<string | null>(null);
  const meId = state.me?.id;
  const groups = groupMessages(room.messages);
  const lastCount = room.messages.length + pending.length;
  const changes = changesFor(state, room.id);

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

  // Jumping to the parent of a reply: once it is loaded, bring it into view and flash it.
  useEffect(() => {
    const el = jumpTo ? scroller.current?.querySelector(`[data-message-id="${CSS.escape(jumpTo)}"]`) : null;
    if (!jumpTo || !el) return;
    follow.current = false;
    el.scrollIntoView({ block: 'center' });
    setFlashId(jumpTo);
    setJumpTo(null);
  }, [jumpTo, room.messages]);

  useEffect(() => {
    if (!flashId) return;
    const t = setTimeout(() => setFlashId(null), FLASH_MS);
    return () => clearTimeout(t);
  }, [flashId]);

  async function jump(messageId: string) {
    setFlashId(null);
    setJumpTo(messageId);
    if (!(await controller.revealMessage(room.id, messageId))) {
      setJumpTo((current) => (current === messageId ? null : current));
    }
  }

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
        <Group key={g.key} from={g.from} mine={g.from === meId} name={userName(state, g.from)} online={state.users[g.from]?.online} onName={openDirect}>
          {g.messages.map((m) => (
            <MessageBubble
              key={m.id}
              message={m}
              mine={g.from === meId}
              canDelete={canDeleteMessage(room.role, g.from === meId)}
              canReport={canReport(room.kind, g.from === meId, m.deleted ?? false)}
              users={state.users}
              meId={meId}
              changes={changes.filter((c) => c.messageId === m.id)}
              editing={editingId === m.id}
              flash={flashId === m.id}
              controller={controller}
              onEditing={(on) => setEditingId(on ? m.id : null)}
              onJump={(id) => void jump(id)}
              quoted={m.replyTo && !m.replyTo.message ? room.messages.find((x) => x.id === m.replyTo?.id) : undefined}
            />
          ))}
        </Group>
      ))}
      {pending.length > 0 && (
        <div className="group mine" data-pending="true">
          {pending.map((p) => (
            <PendingBubble
              key={p.clientId}
              p={p}
              quote={quoteFor(room.messages, p.replyTo)}
              parent={p.replyTo ? room.messages.find((m) => m.id === p.replyTo) : undefined}
              users={state.users}
              controller={controller}
            />
          ))}
        </div>
      )}
    </div>
  );
}

/** The quote a pending reply shows, from its parent as loaded. */
function quoteFor(messages: readonly Message[], parentId: string | undefined): ReplyQuote | undefined {
  if (parentId === undefined) return undefined;
  const parent = messages.find((m) => m.id === parentId);
  return parent ? quoteOf(parent) : { id: parentId };
}

interface GroupProps {
  from: string;
  mine: boolean;
  name: string;
  online: boolean | undefined;
  onName(userId: string): void;
  children: ReactNode;
}

function Group({ from, mine, name, online, onName, children }: GroupProps) {
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
      {children}
    </div>
  );
}

interface PendingProps {
  p: PendingMessage;
  quote: ReplyQuote | undefined;
  parent: Message | undefined;
  users: Record<string, User>;
  controller: ChatController;
}

function PendingBubble({ p, quote, parent, users, controller }: PendingProps) {
  const failed = p.status === 'failed';
  return (
    <div className={failed ? 'bubble pending failed' : 'bubble pending'} data-client-id={p.clientId} data-status={p.status}>
      {quote && <Quote quote={quote} parent={parent} users={users} />}
      {p.message !== '' && <p className="text">{p.message}</p>}
      {p.attachments && p.attachments.length > 0 && (
        // Named only: the files show as they will once the server has the message.
        <ul className="attachment-files" aria-label="Files">
          {p.attachments.map((a) => (
            <li key={a.id} className="file-chip">
              <FileIcon />
              <span className="file-name">{a.name}</span>
              <span className="file-size">{formatSize(a.size)}</span>
            </li>
          ))}
        </ul>
      )}
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
