import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Account } from '../api/types';
import { ChatController } from '../controller/ChatController';
import { useChatState, useMediaQuery } from '../hooks/useChat';
import { NARROW_QUERY } from '../layout';
import { notificationPermission, requestNotificationPermission, showNotification } from '../notifications';
import type { SignedOutMessage } from '../state/account';
import { activeRoom } from '../state/chat';
import { withoutInviteParam } from '../state/invites';
import { hasRoomSettings } from '../state/roles';
import { sameOriginWsUrl } from '../ws/socket';
import { AccountDialog } from './AccountDialog';
import { Conversation } from './Conversation';
import { RoomDialog } from './RoomDialog';
import { RoomSettingsDialog } from './RoomSettingsDialog';
import { Sidebar } from './Sidebar';
import { TopBar } from './TopBar';

interface Props {
  account: Account;
  /** An invite link's token the page was opened with: accepted once the chat starts. */
  inviteToken?: string | null;
  /** The token was taken up (it leaves the address too). */
  onInviteTaken?(): void;
  onSignedOut(message?: SignedOutMessage): void;
}

export function ChatScreen({ account, inviteToken, onInviteTaken, onSignedOut }: Props) {
  const [controller, setController] = useState<ChatController | null>(null);

  useEffect(() => {
    const narrow = () => window.matchMedia(NARROW_QUERY).matches;
    const c: ChatController = new ChatController(
      {
        api,
        wsUrl: sameOriginWsUrl(),
        pageVisible: () => document.visibilityState === 'visible',
        narrow,
        onSignedOut: () => onSignedOut({ notice: 'Your session has ended. Please sign in again.' }),
        notify: (note) => showNotification(note, (roomId) => c.openRoom(roomId)),
      },
      account,
    );
    if (narrow()) c.setView('rooms');
    c.start();
    if (inviteToken) {
      // Once only: the address no longer carries it (a reload does not join again).
      window.history.replaceState(window.history.state, '', withoutInviteParam(window.location.href));
      onInviteTaken?.();
      void c.acceptInviteLink(inviteToken);
    }
    setController(c);
    return () => c.stop();
    // The controller lives as long as this signed-in account.
  }, [account.id]);

  if (!controller) return null;
  return (
    <ChatLayout
      controller={controller}
      onLogout={() => void controller.logout().then(() => onSignedOut())}
      onSignedOut={onSignedOut}
    />
  );
}

interface LayoutProps {
  controller: ChatController;
  onLogout(): void;
  /** The session ended from the account dialog (signed out everywhere, account deleted). */
  onSignedOut(message: SignedOutMessage): void;
}

function ChatLayout({ controller, onLogout, onSignedOut }: LayoutProps) {
  const state = useChatState(controller);
  const narrow = useMediaQuery(NARROW_QUERY);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [accountOpen, setAccountOpen] = useState(false);
  /** The room whose settings panel is open; it closes by itself when the room goes (left, removed). */
  const [settingsRoomId, setSettingsRoomId] = useState<string | null>(null);
  const room = activeRoom(state);
  const candidate = settingsRoomId ? state.rooms[settingsRoomId] : undefined;
  const settingsRoom = candidate && hasRoomSettings(candidate.kind, candidate.role) ? candidate : undefined;

  // The room went (left on another tab, removed by a moderator) or the panel is no longer the
  // user's to see: it is closed, and stays closed should the room come back.
  useEffect(() => {
    if (settingsRoomId && !settingsRoom) setSettingsRoomId(null);
  }, [settingsRoomId, settingsRoom]);

  // Entering the wide layout shows both panes; the read marker follows what is on screen.
  useEffect(() => {
    if (!narrow && state.view !== 'conversation') controller.setView('conversation');
  }, [narrow, state.view, controller]);

  return (
    <div className="page page-dark">
      <TopBar>
        <NotificationsButton />
        <button type="button" className="btn btn-ghost" aria-haspopup="dialog" onClick={() => setAccountOpen(true)}>
          Account
        </button>
      </TopBar>
      <main className={`chat-card view-${state.view}`} data-connection={state.connection}>
        <Sidebar state={state} controller={controller} onOpenDialog={() => setDialogOpen(true)} onLogout={onLogout} />
        {room ? (
          <Conversation
            key={room.id}
            state={state}
            room={room}
            controller={controller}
            narrow={narrow}
            onOpenSettings={() => setSettingsRoomId(room.id)}
          />
        ) : (
          <section className="conversation conversation-empty" aria-label="Conversation">
            <p role="status">{state.roomsLoaded ? 'Pick a conversation.' : 'Loading conversations…'}</p>
          </section>
        )}
      </main>
      {state.notice && (
        <div className="toast" role="alert">
          <span>{state.notice}</span>
          <button type="button" className="btn-link" onClick={() => controller.dismissNotice()}>
            Dismiss
          </button>
        </div>
      )}
      {dialogOpen && <RoomDialog controller={controller} onClose={() => setDialogOpen(false)} />}
      {settingsRoom && (
        <RoomSettingsDialog
          key={settingsRoom.id}
          state={state}
          room={settingsRoom}
          controller={controller}
          onClose={() => setSettingsRoomId(null)}
        />
      )}
      {accountOpen && (
        <AccountDialog
          controller={controller}
          username={state.me?.username ?? ''}
          onClose={() => setAccountOpen(false)}
          onSignedOut={onSignedOut}
        />
      )}
    </div>
  );
}

/** Asks for the permission to notify, from a click, while the browser has not been told yet. */
function NotificationsButton() {
  const [permission, setPermission] = useState(notificationPermission);
  if (permission !== 'default') return null;
  return (
    <button type="button" className="btn btn-ghost" onClick={() => void requestNotificationPermission().then(setPermission)}>
      Enable notifications
    </button>
  );
}
