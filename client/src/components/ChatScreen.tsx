import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Account } from '../api/types';
import { ChatController } from '../controller/ChatController';
import { useChatState, useMediaQuery } from '../hooks/useChat';
import { NARROW_QUERY } from '../layout';
import { notificationPermission, requestNotificationPermission, showNotification } from '../notifications';
import { activeRoom } from '../state/chat';
import { sameOriginWsUrl } from '../ws/socket';
import { Conversation } from './Conversation';
import { RoomDialog } from './RoomDialog';
import { Sidebar } from './Sidebar';
import { TopBar } from './TopBar';

interface Props {
  account: Account;
  onSignedOut(notice?: string): void;
}

export function ChatScreen({ account, onSignedOut }: Props) {
  const [controller, setController] = useState<ChatController | null>(null);

  useEffect(() => {
    const narrow = () => window.matchMedia(NARROW_QUERY).matches;
    const c: ChatController = new ChatController(
      {
        api,
        wsUrl: sameOriginWsUrl(),
        pageVisible: () => document.visibilityState === 'visible',
        narrow,
        onSignedOut: () => onSignedOut('Your session has ended. Please sign in again.'),
        notify: (note) => showNotification(note, (roomId) => c.openRoom(roomId)),
      },
      account,
    );
    if (narrow()) c.setView('rooms');
    c.start();
    setController(c);
    return () => c.stop();
    // The controller lives as long as this signed-in account.
  }, [account.id]);

  if (!controller) return null;
  return <ChatLayout controller={controller} onLogout={() => void controller.logout().then(() => onSignedOut())} />;
}

function ChatLayout({ controller, onLogout }: { controller: ChatController; onLogout(): void }) {
  const state = useChatState(controller);
  const narrow = useMediaQuery(NARROW_QUERY);
  const [dialogOpen, setDialogOpen] = useState(false);
  const room = activeRoom(state);

  // Entering the wide layout shows both panes; the read marker follows what is on screen.
  useEffect(() => {
    if (!narrow && state.view !== 'conversation') controller.setView('conversation');
  }, [narrow, state.view, controller]);

  return (
    <div className="page page-dark">
      <TopBar>
        <NotificationsButton />
      </TopBar>
      <main className={`chat-card view-${state.view}`}>
        <Sidebar state={state} controller={controller} onOpenDialog={() => setDialogOpen(true)} onLogout={onLogout} />
        {room ? (
          <Conversation key={room.id} state={state} room={room} controller={controller} narrow={narrow} />
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
