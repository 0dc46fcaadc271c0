// Browser notifications: the permission, asked for only from a user's click, and showing
// one. Which messages notify is decided in state/notify.ts.

import type { Note } from './state/notify';

export type Permission = NotificationPermission | 'unsupported';

export function notificationPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks the user; call it from a click (browsers ignore or block it otherwise). */
export async function requestNotificationPermission(): Promise<Permission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/** Shows `note` if allowed; clicking it brings the window forward and calls `onOpen`. */
export function showNotification(note: Note, onOpen: (roomId: string) => void): void {
  if (notificationPermission() !== 'granted') return;
  try {
    const n = new Notification(note.title, { body: note.body, tag: note.tag });
    n.onclick = () => {
      window.focus();
      onOpen(note.roomId);
      n.close();
    };
  } catch {
    // Some browsers (Android Chrome) only notify from a service worker: nothing to show then.
  }
}
