import { useId } from 'react';
import type { ChatController } from '../controller/ChatController';
import { useNow } from '../hooks/useChat';
import { useFileDrop } from '../hooks/useFileDrop';
import {
  mentionableUsers,
  openReports,
  pendingFor,
  readOnlyIn,
  replyTarget,
  totalUnread,
  typingLabel,
  typingNames,
  uploadsFor,
  userName,
  type ChatState,
  type RoomState,
} from '../state/chat';
import { quoteOf } from '../state/messages';
import { countLabel } from '../state/reports';
import { hasRoomSettings, roleLabel } from '../state/roles';
import { quoteText } from '../state/uploads';
import { Composer, type ReplyPreview } from './Composer';
import { BackIcon, BellIcon, BellOffIcon, LockIcon, PaperclipIcon, PeopleIcon } from './icons';
import { MessageList } from './MessageList';

interface Props {
  state: ChatState;
  room: RoomState;
  controller: ChatController;
  narrow: boolean;
  /** Opens the room's settings panel (members, bans, audit log). */
  onOpenSettings(): void;
}

export function Conversation({ state, room, controller, narrow, onOpenSettings }: Props) {
  const titleId = useId();
  const peer = room.peerId ? state.users[room.peerId] : undefined;
  const typing = typingLabel(typingNames(state, room.id, Date.now()));
  const unreadElsewhere = totalUnread(state) - room.unread;
  const reports = openReports(state, room.id).items.length;
  const reportsText = `${reports} open ${reports === 1 ? 'report' : 'reports'}`;
  const target = replyTarget(state, room.id);
  const replyTo: ReplyPreview | null = target
    ? { id: target.id, name: userName(state, target.from), quote: quoteText(quoteOf(target), target) }
    : null;
  const readOnly = readOnlyIn(state, room.id, Date.now());
  const drop = useFileDrop((files) => controller.attachFiles(room.id, files), readOnly === null);
  const roomTitle = room.kind === 'named' ? `# ${room.name}` : room.name;

  return (
    <section className={drop.dragging ? 'conversation dragging' : 'conversation'} aria-labelledby={titleId} {...drop.handlers}>
      {drop.dragging && (
        <div className="drop-zone" aria-hidden="true">
          <PaperclipIcon size={28} />
          <span>Drop files to attach them to {roomTitle}</span>
        </div>
      )}
      <header className="conv-head">
        {narrow && (
          <button type="button" className="icon-btn back" onClick={() => controller.setView('rooms')} aria-label={unreadElsewhere > 0 ? `Back to chats (${unreadElsewhere} unread)` : 'Back to chats'}>
            <BackIcon />
            {unreadElsewhere > 0 && (
              <span className="badge" aria-hidden="true">
                {unreadElsewhere}
              </span>
            )}
          </button>
        )}
        <div className="conv-title">
          <h2 id={titleId}>{roomTitle}</h2>
          {room.kind === 'direct' && (
            <span className={peer?.online ? 'conv-sub on' : 'conv-sub'}>{peer?.online ? 'Online' : 'Offline'}</span>
          )}
          {(room.visibility === 'private' || (room.kind !== 'direct' && room.role !== 'member')) && (
            <span className="conv-sub">
              {room.visibility === 'private' && (
                <span className="private-mark" title="Only people invited can join">
                  <LockIcon size={12} /> Private
                </span>
              )}
              {room.visibility === 'private' && room.role !== 'member' && ' · '}
              {room.kind !== 'direct' && room.role !== 'member' && `Your role: ${roleLabel(room.role)}`}
            </span>
          )}
        </div>
        {hasRoomSettings(room.kind, room.role) && (
          <button
            type="button"
            className="btn btn-ghost members-btn"
            aria-haspopup="dialog"
            title={reports > 0 ? `Members and room settings: ${reportsText}` : 'Members and room settings'}
            aria-label={reports > 0 ? `Members, ${reportsText}` : undefined}
            onClick={onOpenSettings}
          >
            <PeopleIcon />
            <span className="btn-label">Members</span>
            {reports > 0 && (
              <span className="badge" aria-hidden="true">
                {countLabel(reports)}
              </span>
            )}
          </button>
        )}
        <button
          type="button"
          className={room.muted ? 'icon-btn mute-toggle on' : 'icon-btn mute-toggle'}
          aria-pressed={room.muted}
          aria-label={room.muted ? 'Unmute room' : 'Mute room'}
          title={room.muted ? 'Unmute: notify me again' : 'Mute: no notifications from this room'}
          onClick={() => void controller.setMuted(room.id, !room.muted)}
        >
          {room.muted ? <BellOffIcon /> : <BellIcon />}
        </button>
        {room.kind === 'named' && (
          <button type="button" className="btn btn-ghost" onClick={() => void controller.leaveRoom(room.id)}>
            Leave
          </button>
        )}
      </header>
      <ConnectionBanner state={state} controller={controller} />
      <MessageList state={state} room={room} pending={pendingFor(state, room.id)} controller={controller} />
      <p className="typing" aria-live="polite">
        {typing}
      </p>
      <Composer
        key={room.id}
        roomId={room.id}
        roomName={room.name}
        controller={controller}
        replyTo={replyTo}
        people={mentionableUsers(state, room.id)}
        readOnly={readOnly}
        uploads={uploadsFor(state, room.id)}
      />
    </section>
  );
}

function ConnectionBanner({ state, controller }: { state: ChatState; controller: ChatController }) {
  const offline = state.connection === 'offline';
  const now = useNow(1000, offline);
  if (!offline) return null;
  const secs = state.reconnectAt ? Math.max(0, Math.ceil((state.reconnectAt - now) / 1000)) : 0;
  return (
    <div className="banner" role="status">
      <span>
        Connection lost. {secs > 0 ? `Reconnecting in ${secs} s…` : 'Reconnecting…'} Messages you send are delivered once it is back.
      </span>
      <button type="button" className="btn-link" onClick={() => controller.reconnectNow()}>
        Retry now
      </button>
    </div>
  );
}
