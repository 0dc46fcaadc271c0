import { useEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import type { Reaction } from '../api/types';
import { EditIcon, FlagIcon, ReplyIcon, SmileIcon, TrashIcon } from './icons';

/** The reactions the picker offers. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'] as const;

interface Props {
  /** One's own message: it may be edited. */
  mine: boolean;
  /** It may be deleted: one's own, or anyone's for a moderator of the room. */
  canDelete: boolean;
  /** It may be reported to the room's moderators: someone else's, in a room with moderators. */
  canReport: boolean;
  reactions: readonly Reaction[];
  onReply(): void;
  onReact(emoji: string): void;
  onEdit(): void;
  onDelete(): void;
  onReport(): void;
}

/**
 * The toolbar a message shows on hover or focus: reply, react, for one's own edit, and
 * delete for one's own (anyone's, for the room's moderators); report for others'.
 */
export function MessageActions({ mine, canDelete, canReport, reactions, onReply, onReact, onEdit, onDelete, onReport }: Props) {
  const [picking, setPicking] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);

  function closePicker() {
    setPicking(false);
    trigger.current?.focus();
  }

  // Focus leaving the toolbar (a click elsewhere, Tab past it) closes the picker.
  function onBlur(e: FocusEvent) {
    if (picking && !e.currentTarget.contains(e.relatedTarget as Node | null)) setPicking(false);
  }

  return (
    <div className={picking ? 'msg-actions open' : 'msg-actions'} role="toolbar" aria-label="Message actions" onBlur={onBlur}>
      <button type="button" className="action" onClick={onReply} aria-label="Reply" title="Reply">
        <ReplyIcon />
      </button>
      <button
        type="button"
        ref={trigger}
        className="action"
        onClick={() => setPicking((p) => !p)}
        aria-label="Add reaction"
        title="Add reaction"
        aria-expanded={picking}
      >
        <SmileIcon />
      </button>
      {mine && (
        <button type="button" className="action" onClick={onEdit} aria-label="Edit" title="Edit">
          <EditIcon />
        </button>
      )}
      {canReport && (
        <button type="button" className="action" onClick={onReport} aria-label="Report" title="Report to the room's moderators">
          <FlagIcon />
        </button>
      )}
      {canDelete && (
        <button
          type="button"
          className="action action-danger"
          onClick={onDelete}
          aria-label="Delete"
          title={mine ? 'Delete' : 'Delete (as a moderator)'}
        >
          <TrashIcon />
        </button>
      )}
      {picking && (
        <ReactionPicker
          reactions={reactions}
          onPick={(emoji) => {
            onReact(emoji);
            closePicker();
          }}
          onClose={closePicker}
        />
      )}
    </div>
  );
}

interface PickerProps {
  reactions: readonly Reaction[];
  onPick(emoji: string): void;
  onClose(): void;
}

function ReactionPicker({ reactions, onPick, onClose }: PickerProps) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    box.current?.querySelector('button')?.focus();
  }, []);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    }
  }

  return (
    <div className="picker" ref={box} role="group" aria-label="Pick a reaction" onKeyDown={onKeyDown}>
      {QUICK_REACTIONS.map((emoji) => {
        const mine = reactions.some((r) => r.emoji === emoji && r.mine);
        return (
          <button type="button" key={emoji} className="pick" aria-label={`React with ${emoji}`} aria-pressed={mine} onClick={() => onPick(emoji)}>
            {emoji}
          </button>
        );
      })}
    </div>
  );
}
