import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, isApiError } from '../api/client';
import type { ChatController } from '../controller/ChatController';
import { useModal } from '../hooks/useModal';
import {
  ACCOUNT_DELETED,
  checkDeletion,
  checkPasswordChange,
  deletionErrors,
  firstPasswordError,
  hasErrors,
  PASSWORD_MAX,
  PASSWORD_MIN,
  passwordChangeErrors,
  SIGNED_OUT_EVERYWHERE,
  signOutEverywhereError,
  type DeletionErrors,
  type PasswordErrors,
  type SignedOutMessage,
} from '../state/account';

interface Props {
  controller: ChatController;
  username: string;
  onClose(): void;
  /** This session is over (signed out everywhere, account deleted): to the sign-in screen. */
  onSignedOut(message: SignedOutMessage): void;
}

type Busy = 'password' | 'everywhere' | 'delete' | null;

function asApiError(e: unknown): ApiError {
  return isApiError(e) ? e : new ApiError(0, 'network', 'Something went wrong.');
}

/** Change the password, sign out everywhere, delete the account. */
export function AccountDialog({ controller, username, onClose, onSignedOut }: Props) {
  const ids = {
    title: useId(),
    password: useId(),
    everywhere: useId(),
    deletion: useId(),
    current: useId(),
    currentErr: useId(),
    next: useId(),
    nextHint: useId(),
    nextErr: useId(),
    confirm: useId(),
    confirmErr: useId(),
    deletePassword: useId(),
    deletePasswordErr: useId(),
    deleteWarning: useId(),
  };
  const currentRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  const deleteRef = useRef<HTMLInputElement>(null);
  const everywhereButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  /** A confirmation just went away: the button that asked for it gets the focus back. */
  const refocus = useRef<'everywhere' | 'delete' | null>(null);
  const { dialog, onKeyDown } = useModal(onClose, currentRef);

  const [busy, setBusy] = useState<Busy>(null);
  // Change password.
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [pwErrors, setPwErrors] = useState<PasswordErrors>({});
  const [changed, setChanged] = useState(false);
  // Sign out everywhere.
  const [askEverywhere, setAskEverywhere] = useState(false);
  const [everywhereError, setEverywhereError] = useState<string | null>(null);
  // Delete the account.
  const [deletePassword, setDeletePassword] = useState('');
  const [askDelete, setAskDelete] = useState(false);
  const [delErrors, setDelErrors] = useState<DeletionErrors>({});

  useEffect(() => {
    const which = refocus.current;
    refocus.current = null;
    if (which === 'everywhere') everywhereButton.current?.focus();
    else if (which === 'delete') deleteButton.current?.focus();
  }, [askEverywhere, askDelete]);

  function focusPasswordError(errors: PasswordErrors) {
    const first = firstPasswordError(errors);
    const ref = first === 'current' ? currentRef : first === 'next' ? nextRef : first === 'confirm' ? confirmRef : null;
    ref?.current?.focus();
  }

  async function changePassword(e: FormEvent) {
    e.preventDefault();
    setChanged(false);
    const local = checkPasswordChange({ current, next, confirm });
    setPwErrors(local);
    if (hasErrors(local)) {
      focusPasswordError(local);
      return;
    }
    setBusy('password');
    try {
      await controller.changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setChanged(true);
    } catch (err) {
      const errors = passwordChangeErrors(asApiError(err));
      setPwErrors(errors);
      focusPasswordError(errors);
    } finally {
      setBusy(null);
    }
  }

  async function signOutEverywhere() {
    setBusy('everywhere');
    setEverywhereError(null);
    try {
      await controller.logoutAll();
    } catch (err) {
      setEverywhereError(signOutEverywhereError(asApiError(err)));
      setBusy(null);
      refocus.current = 'everywhere';
      setAskEverywhere(false);
      return;
    }
    onSignedOut({ info: SIGNED_OUT_EVERYWHERE });
  }

  function requestDeletion(e: FormEvent) {
    e.preventDefault();
    const local = checkDeletion(deletePassword);
    setDelErrors(local);
    if (hasErrors(local)) {
      deleteRef.current?.focus();
      return;
    }
    setAskDelete(true);
  }

  async function deleteAccount() {
    setBusy('delete');
    setDelErrors({});
    try {
      await controller.deleteAccount(deletePassword);
    } catch (err) {
      const errors = deletionErrors(asApiError(err));
      setDelErrors(errors);
      setBusy(null);
      if (errors.password) deleteRef.current?.focus();
      else refocus.current = 'delete';
      setAskDelete(false);
      return;
    }
    onSignedOut({ info: ACCOUNT_DELETED });
  }

  const working = busy !== null;
  const describedBy = (...xs: (string | false | undefined)[]) => xs.filter(Boolean).join(' ') || undefined;

  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="dialog account-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={ids.title}
        aria-busy={working}
        ref={dialog}
        onKeyDown={onKeyDown}
      >
        <div className="dialog-head">
          <h2 id={ids.title}>Account</h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        <p className="dialog-sub">
          Signed in as <strong>{username}</strong>
        </p>

        <section className="dialog-section account-section" aria-labelledby={ids.password}>
          <h3 id={ids.password}>Change password</h3>
          <p className="section-note">Your other devices will be signed out; this one stays signed in.</p>
          <form className="account-form" onSubmit={(e) => void changePassword(e)} noValidate>
            <label htmlFor={ids.current}>Current password</label>
            <input
              id={ids.current}
              ref={currentRef}
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => {
                setCurrent(e.target.value);
                setChanged(false);
                setPwErrors((x) => ({ ...x, current: undefined, form: undefined }));
              }}
              aria-invalid={pwErrors.current ? true : undefined}
              aria-describedby={describedBy(pwErrors.current && ids.currentErr)}
            />
            {pwErrors.current && (
              <p className="field-error" id={ids.currentErr} role="alert">
                {pwErrors.current}
              </p>
            )}
            <label htmlFor={ids.next}>New password</label>
            <input
              id={ids.next}
              ref={nextRef}
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => {
                setNext(e.target.value);
                setChanged(false);
                setPwErrors((x) => ({ ...x, next: undefined, confirm: undefined, form: undefined }));
              }}
              aria-invalid={pwErrors.next ? true : undefined}
              aria-describedby={describedBy(ids.nextHint, pwErrors.next && ids.nextErr)}
            />
            <p className="field-hint" id={ids.nextHint}>
              {PASSWORD_MIN} to {PASSWORD_MAX} characters.
            </p>
            {pwErrors.next && (
              <p className="field-error" id={ids.nextErr} role="alert">
                {pwErrors.next}
              </p>
            )}
            <label htmlFor={ids.confirm}>Confirm new password</label>
            <input
              id={ids.confirm}
              ref={confirmRef}
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => {
                setConfirm(e.target.value);
                setChanged(false);
                setPwErrors((x) => ({ ...x, confirm: undefined, form: undefined }));
              }}
              aria-invalid={pwErrors.confirm ? true : undefined}
              aria-describedby={describedBy(pwErrors.confirm && ids.confirmErr)}
            />
            {pwErrors.confirm && (
              <p className="field-error" id={ids.confirmErr} role="alert">
                {pwErrors.confirm}
              </p>
            )}
            {pwErrors.form && (
              <p className="form-error" role="alert">
                {pwErrors.form}
              </p>
            )}
            {changed && (
              <p className="form-success" role="status">
                Password changed. Your other devices have been signed out.
              </p>
            )}
            <div className="account-actions">
              <button type="submit" className="btn btn-primary" disabled={working}>
                {busy === 'password' ? 'Changing…' : 'Change password'}
              </button>
            </div>
          </form>
        </section>

        <section className="dialog-section account-section" aria-labelledby={ids.everywhere}>
          <h3 id={ids.everywhere}>Sign out everywhere</h3>
          <p className="section-note">Ends every session of your account: on this device and on all the others.</p>
          {askEverywhere ? (
            <ConfirmRow
              question="Sign out on every device?"
              yes={busy === 'everywhere' ? 'Signing out…' : 'Yes, sign out everywhere'}
              disabled={working}
              onYes={() => void signOutEverywhere()}
              onNo={() => {
                refocus.current = 'everywhere';
                setAskEverywhere(false);
                setEverywhereError(null);
              }}
            />
          ) : (
            <div className="account-actions">
              <button
                type="button"
                ref={everywhereButton}
                className="btn btn-ghost"
                disabled={working}
                onClick={() => {
                  setEverywhereError(null);
                  setAskEverywhere(true);
                }}
              >
                Sign out everywhere
              </button>
            </div>
          )}
          {everywhereError && (
            <p className="form-error" role="alert">
              {everywhereError}
            </p>
          )}
        </section>

        <section className="dialog-section account-section danger-zone" aria-labelledby={ids.deletion}>
          <h3 id={ids.deletion}>Delete account</h3>
          <p className="account-warning" id={ids.deleteWarning}>
            This cannot be undone. Your messages stay in their rooms, shown as from “Deleted user”. Your name stays
            reserved for a while, so nobody can take it over, and you cannot sign in with it again.
          </p>
          <form className="account-form" onSubmit={requestDeletion} noValidate>
            <label htmlFor={ids.deletePassword}>Password</label>
            <input
              id={ids.deletePassword}
              ref={deleteRef}
              type="password"
              autoComplete="current-password"
              value={deletePassword}
              onChange={(e) => {
                setDeletePassword(e.target.value);
                setAskDelete(false);
                setDelErrors({});
              }}
              aria-invalid={delErrors.password ? true : undefined}
              aria-describedby={describedBy(ids.deleteWarning, delErrors.password && ids.deletePasswordErr)}
            />
            {delErrors.password && (
              <p className="field-error" id={ids.deletePasswordErr} role="alert">
                {delErrors.password}
              </p>
            )}
            {delErrors.form && (
              <p className="form-error" role="alert">
                {delErrors.form}
              </p>
            )}
            {askDelete ? (
              <ConfirmRow
                question="Delete your account for good?"
                yes={busy === 'delete' ? 'Deleting…' : 'Yes, delete my account'}
                disabled={working}
                onYes={() => void deleteAccount()}
                onNo={() => {
                  refocus.current = 'delete';
                  setAskDelete(false);
                }}
              />
            ) : (
              <div className="account-actions">
                <button type="submit" ref={deleteButton} className="btn btn-danger" disabled={working}>
                  Delete my account
                </button>
              </div>
            )}
          </form>
        </section>
      </div>
    </div>
  );
}

interface ConfirmProps {
  question: string;
  yes: string;
  disabled: boolean;
  onYes(): void;
  onNo(): void;
}

/** "Are you sure?" in place of the button that asked; the focus goes to "Yes". */
function ConfirmRow({ question, yes, disabled, onYes, onNo }: ConfirmProps) {
  const yesRef = useRef<HTMLButtonElement>(null);
  useEffect(() => yesRef.current?.focus(), []);
  return (
    <div className="account-confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button type="button" ref={yesRef} className="btn btn-danger" disabled={disabled} onClick={onYes}>
        {yes}
      </button>
      <button type="button" className="btn btn-ghost" disabled={disabled} onClick={onNo}>
        Cancel
      </button>
    </div>
  );
}
