import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../api/client';
import type { JoinableRoom } from '../api/types';
import type { ChatController } from '../controller/ChatController';
import { useModal } from '../hooks/useModal';
import { joinErrorText } from '../state/roles';

interface Props {
  controller: ChatController;
  onClose(): void;
}

function errorText(e: unknown, fallback: string): string {
  return isApiError(e) && e.status !== 0 ? e.detail : fallback;
}

/** Create a named room, or find one to join. */
export function RoomDialog({ controller, onClose }: Props) {
  const titleId = useId();
  const nameId = useId();
  const filterId = useId();
  const nameErrId = useId();
  const privateHint = useId();
  const [isPrivate, setPrivate] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const { dialog, onKeyDown } = useModal(onClose, nameRef);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [q, setQ] = useState('');
  const [rooms, setRooms] = useState<JoinableRoom[]>([]);
  const [total, setTotal] = useState(0);
  const [listError, setListError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [joining, setJoining] = useState<string | null>(null);

  // Filter as the user types, a moment after the last key.
  useEffect(() => {
    let live = true;
    setLoading(true);
    const t = setTimeout(() => {
      controller
        .discover(q.trim(), 0)
        .then((page) => {
          if (!live) return;
          setRooms(page.rooms);
          setTotal(page.total);
          setListError(null);
        })
        .catch((e: unknown) => live && setListError(errorText(e, 'Could not load rooms.')))
        .finally(() => live && setLoading(false));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q, controller]);

  async function more() {
    setLoading(true);
    try {
      const page = await controller.discover(q.trim(), rooms.length);
      setRooms((r) => [...r, ...page.rooms.filter((x) => !r.some((y) => y.id === x.id))]);
      setTotal(page.total);
    } catch (e) {
      setListError(errorText(e, 'Could not load rooms.'));
    } finally {
      setLoading(false);
    }
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setNameError('Enter a name for the room.');
      nameRef.current?.focus();
      return;
    }
    setCreating(true);
    try {
      await controller.createRoom(trimmed, isPrivate ? 'private' : 'public');
      onClose();
    } catch (err) {
      setNameError(errorText(err, 'Could not create the room.'));
      setCreating(false);
      nameRef.current?.focus();
    }
  }

  async function join(id: string) {
    setJoining(id);
    try {
      await controller.joinRoom(id);
      onClose();
    } catch (err) {
      // A ban says so plainly: "You are banned from this room."
      setListError(joinErrorText(err));
      setJoining(null);
    }
  }

  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={dialog} onKeyDown={onKeyDown}>
        <div className="dialog-head">
          <h2 id={titleId}>Rooms</h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">
            ×
          </button>
        </div>
        <form className="dialog-section" onSubmit={(e) => void create(e)} noValidate>
          <label htmlFor={nameId}>Create a room</label>
          <div className="row">
            <input
              id={nameId}
              ref={nameRef}
              value={name}
              maxLength={64}
              placeholder="Room name"
              onChange={(e) => {
                setName(e.target.value);
                setNameError(null);
              }}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? nameErrId : undefined}
            />
            <button type="submit" className="btn btn-primary" disabled={creating}>
              {creating ? 'Creating…' : 'Create'}
            </button>
          </div>
          {nameError && (
            <p className="field-error" id={nameErrId} role="alert">
              {nameError}
            </p>
          )}
          <label className="check">
            <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)} aria-describedby={privateHint} />
            Private room
          </label>
          <p className="field-hint" id={privateHint}>
            {isPrivate ? 'Not listed: people join only when you invite them.' : 'Listed below for everyone to join.'}
          </p>
        </form>
        <div className="dialog-section">
          <label htmlFor={filterId}>Join a room</label>
          <input id={filterId} type="search" value={q} placeholder="Filter by name" onChange={(e) => setQ(e.target.value)} />
          {listError && (
            <p className="field-error" role="alert">
              {listError}
            </p>
          )}
          <ul className="discover-list" aria-label="Rooms you can join" aria-busy={loading}>
            {rooms.map((r) => (
              <li key={r.id}>
                <span className="discover-name"># {r.name}</span>
                <span className="discover-members">
                  {r.members} {r.members === 1 ? 'member' : 'members'}
                </span>
                <button type="button" className="btn btn-ghost" disabled={joining !== null} onClick={() => void join(r.id)} aria-label={`Join ${r.name}`}>
                  {joining === r.id ? 'Joining…' : 'Join'}
                </button>
              </li>
            ))}
          </ul>
          {!loading && rooms.length === 0 && !listError && <p className="section-empty">{q.trim() ? 'No room matches.' : 'No rooms to join.'}</p>}
          {rooms.length < total && (
            <button type="button" className="btn btn-ghost" onClick={() => void more()} disabled={loading}>
              Show more
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
