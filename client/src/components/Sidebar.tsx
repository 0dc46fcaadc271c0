import type { ChatController } from '../controller/ChatController';
import { onlineUsers, roomSections, userName, type ChatState, type RoomState } from '../state/chat';
import { listTime } from '../state/format';
import { messageSummary } from '../state/uploads';
import { Avatar, RoomAvatar } from './Avatar';
import { BellOffIcon, LockIcon, PlusIcon, PowerIcon } from './icons';
import { Invitations } from './Invitations';

interface Props {
  state: ChatState;
  controller: ChatController;
  onOpenDialog(): void;
  onLogout(): void;
}

export function Sidebar({ state, controller, onOpenDialog, onLogout }: Props) {
  const { general, direct, named } = roomSections(state);
  const online = onlineUsers(state);
  const me = state.me;
  const connected = state.connection === 'online';

  return (
    <nav className="sidebar" aria-label="Chats">
      <div className="sidebar-head">
        <h2>Chats</h2>
        <button type="button" className="icon-btn" onClick={onOpenDialog} aria-label="Create or join a room" title="Create or join a room">
          <PlusIcon />
        </button>
      </div>
      <div className="sidebar-scroll">
        <Invitations state={state} controller={controller} />
        <ul className="room-list" aria-label="Conversations">
          {general && <RoomItem room={general} state={state} controller={controller} />}
        </ul>
        {direct.length > 0 && (
          <>
            <h3 className="section-title">Direct messages</h3>
            <ul className="room-list" aria-label="Direct messages">
              {direct.map((r) => (
                <RoomItem key={r.id} room={r} state={state} controller={controller} />
              ))}
            </ul>
          </>
        )}
        <h3 className="section-title">
          Rooms
          <button type="button" className="btn-link section-action" onClick={onOpenDialog}>
            Browse
          </button>
        </h3>
        {named.length > 0 ? (
          <ul className="room-list" aria-label="Rooms">
            {named.map((r) => (
              <RoomItem key={r.id} room={r} state={state} controller={controller} />
            ))}
          </ul>
        ) : (
          <p className="section-empty">No rooms yet.</p>
        )}
        <h3 className="section-title">Online now</h3>
        {state.connection === 'offline' ? (
          <p className="section-empty">Unknown while offline.</p>
        ) : online.length > 0 ? (
          <ul className="user-list" aria-label="Online users">
            {online.map((u) => (
              <li key={u.id}>
                <button type="button" className="user-item" onClick={() => void controller.startDirect(u.id)} aria-label={`Chat with ${u.username}`}>
                  <Avatar name={u.username} size={28} online />
                  <span>{u.username}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="section-empty">Nobody else is online.</p>
        )}
      </div>
      {me && (
        <div className="sidebar-foot">
          <Avatar name={me.username} size={36} />
          <div className="me">
            <span className="me-name">{me.username}</span>
            <span className={connected ? 'me-status on' : 'me-status off'}>{connected ? 'Active' : 'Offline'}</span>
          </div>
          <button type="button" className="logout" onClick={onLogout}>
            <PowerIcon /> Log out
          </button>
        </div>
      )}
    </nav>
  );
}

function RoomItem({ room, state, controller }: { room: RoomState; state: ChatState; controller: ChatController }) {
  const active = state.activeRoomId === room.id;
  const peer = room.peerId ? state.users[room.peerId] : undefined;
  const last = room.lastMessage;
  const mine = last && last.from === state.me?.id;
  const text = last?.deleted ? (last.moderated ? 'Removed by a moderator' : 'Message deleted') : last && messageSummary(last);
  const preview = last ? `${mine ? 'You: ' : room.kind === 'direct' ? '' : `${userName(state, last.from)}: `}${text}` : 'No messages yet';
  return (
    <li>
      <button
        type="button"
        className={active ? 'room-item active' : 'room-item'}
        aria-current={active ? 'true' : undefined}
        data-room-id={room.id}
        onClick={() => controller.openRoom(room.id)}
      >
        <RoomAvatar kind={room.kind} name={room.name} online={peer?.online} />
        <span className="room-text">
          <span className="room-top">
            <span className="room-name">{room.name}</span>
            {room.kind === 'direct' && <span className="sr-only">{peer?.online ? ', online' : ', offline'}</span>}
            {room.visibility === 'private' && (
              <span className="private-icon" title="Private room">
                <LockIcon size={12} />
                <span className="sr-only">, private</span>
              </span>
            )}
            {room.muted && (
              <span className="muted-icon" title="Muted">
                <BellOffIcon size={14} />
                <span className="sr-only">, muted</span>
              </span>
            )}
            {last && <time className="room-time">{listTime(last.date)}</time>}
          </span>
          <span className="room-bottom">
            <span className="room-preview">{preview}</span>
            {room.mentions > 0 && (
              <>
                <span className="mention-badge" aria-hidden="true">
                  @{room.mentions > 99 ? '99+' : room.mentions}
                </span>
                <span className="sr-only">
                  , {room.mentions} {room.mentions === 1 ? 'mention' : 'mentions'}
                </span>
              </>
            )}
            {room.unread > 0 && (
              <>
                <span className={room.muted ? 'badge badge-muted' : 'badge'} aria-hidden="true">
                  {room.unread > 99 ? '99+' : room.unread}
                </span>
                <span className="sr-only">, {room.unread} unread</span>
              </>
            )}
          </span>
        </span>
      </button>
    </li>
  );
}
