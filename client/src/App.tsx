import { useEffect, useState } from 'react';
import { api, isApiError } from './api/client';
import type { Account } from './api/types';
import { ChatScreen } from './components/ChatScreen';
import { LoginScreen } from './components/LoginScreen';
import { TopBar } from './components/TopBar';
import type { SignedOutMessage } from './state/account';
import { inviteTokenIn } from './state/invites';

/** What the sign-in screen says to someone who opened an invite link signed out. */
export const INVITE_SIGN_IN_INFO = 'Sign in or create an account to join the room you were invited to.';

type Phase = { kind: 'loading' } | ({ kind: 'signedOut' } & SignedOutMessage) | { kind: 'signedIn'; account: Account };

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  // The invite link the page was opened with (`?invite=<token>`): accepted once signed in.
  const [inviteToken, setInviteToken] = useState(() => inviteTokenIn(window.location.search));

  useEffect(() => {
    let live = true;
    api
      .me()
      .then((account) => live && setPhase({ kind: 'signedIn', account }))
      .catch((e: unknown) => {
        if (!live) return;
        const notice = isApiError(e) && e.status !== 401 ? 'The server cannot be reached right now.' : undefined;
        setPhase({ kind: 'signedOut', notice });
      });
    return () => {
      live = false;
    };
  }, []);

  if (phase.kind === 'loading') {
    return (
      <div className="page page-light">
        <TopBar />
        <p className="loading" role="status">
          Loading…
        </p>
      </div>
    );
  }
  if (phase.kind === 'signedOut') {
    return (
      <LoginScreen
        notice={phase.notice}
        info={phase.info ?? (inviteToken ? INVITE_SIGN_IN_INFO : undefined)}
        onSignedIn={(account) => setPhase({ kind: 'signedIn', account })}
      />
    );
  }
  return (
    <ChatScreen
      key={phase.account.id}
      account={phase.account}
      inviteToken={inviteToken}
      onInviteTaken={() => setInviteToken(null)}
      onSignedOut={(message) => setPhase({ kind: 'signedOut', ...message })}
    />
  );
}
