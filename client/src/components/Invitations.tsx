// The user's pending invitations, at the top of the sidebar while there are any: live
// (`invite.received` adds one, `invite.removed` takes it away), each with Accept (which
// opens the room) and Decline.

import { useId, useState } from 'react';
import type { Invite } from '../api/types';
import type { ChatController } from '../controller/ChatController';
import type { ChatState } from '../state/chat';
import { acceptErrorText, invitationsTitle } from '../state/invites';
import { moderationErrorText } from '../state/roles';

interface Props {
  state: ChatState;
  controller: ChatController;
}

export function Invitations({ state, controller }: Props) {
  const titleId = useId();
  const invites = state.invites;
  if (invites.length === 0) return null;
  return (
    <section className="invitations" aria-labelledby={titleId}>
      <h3 className="section-title" id={titleId}>
        {invitationsTitle(invites.length)}
      </h3>
      <ul className="invite-list" aria-label="Invitations">
        {invites.map((i) => (
          <InvitationItem key={i.id} invite={i} controller={controller} />
        ))}
      </ul>
    </section>
  );
}

function InvitationItem({ invite, controller }: { invite: Invite; controller: ChatController }) {
  const [busy, setBusy] = useState<null | 'accept' | 'decline'>(null);
  const [error, setError] = useState<string | null>(null);

  async function act(kind: 'accept' | 'decline') {
    setBusy(kind);
    setError(null);
    try {
      // On success the invitation leaves the list, and this item with it.
      if (kind === 'accept') await controller.acceptInvite(invite.id);
      else await controller.declineInvite(invite.id);
    } catch (e) {
      setError(kind === 'accept' ? acceptErrorText(e, 'invite') : moderationErrorText(e, 'Could not decline the invitation.'));
      setBusy(null);
    }
  }

  return (
    <li className="invite-item" aria-label={`Invitation to ${invite.roomName}`}>
      <span className="invite-room"># {invite.roomName}</span>
      <span className="invite-by">Invited by {invite.invitedBy.username}</span>
      <span className="invite-actions">
        <button
          type="button"
          className="btn btn-primary btn-small"
          disabled={busy !== null}
          aria-label={`Accept the invitation to ${invite.roomName}`}
          onClick={() => void act('accept')}
        >
          {busy === 'accept' ? 'Joining…' : 'Accept'}
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-small"
          disabled={busy !== null}
          aria-label={`Decline the invitation to ${invite.roomName}`}
          onClick={() => void act('decline')}
        >
          {busy === 'decline' ? 'Declining…' : 'Decline'}
        </button>
      </span>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
