// What a modal dialog does with the keyboard and the focus: the focus moves into it on open
// and back where it was on close, Escape closes it, Tab stays inside.

import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled])';

export function useModal(
  onClose: () => void,
  initialFocus: RefObject<HTMLElement | null>,
): { dialog: RefObject<HTMLDivElement | null>; onKeyDown(e: KeyboardEvent<HTMLDivElement>): void } {
  const dialog = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    initialFocus.current?.focus();
    // Escape closes it wherever the focus is (a button that was disabled while a request
    // ran leaves the focus on the page body).
    const onEscape = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      close.current();
    };
    document.addEventListener('keydown', onEscape);
    return () => {
      document.removeEventListener('keydown', onEscape);
      previous?.focus();
    };
    // Once, on open.
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key !== 'Tab' || !dialog.current) return;
    const focusables = dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE);
    const first = focusables[0];
    const last = focusables[focusables.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return { dialog, onKeyDown };
}
