// Files in messages. Before sending: the files attached in a room's composer, each uploaded
// at once (`POST /api/rooms/{id}/uploads`), and what the next message sent there carries.
// After: how a message's attachments show (sizes, thumbnails, one-line summaries).

import { isApiError } from '../api/client';
import type { Attachment, Message, ReplyQuote, Upload } from '../api/types';
import { isBlank } from './text';

/** Files one message carries at most (MAX_ATTACHMENTS on the server). */
export const MAX_ATTACHMENTS = 10;

/** The side of the box a thumbnail fits in (THUMBNAIL_SIDE on the server). */
export const THUMBNAIL_BOX = 320;

/** The types the server decodes as images (and thumbnails); anything else is a download. */
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** A file attached in a composer: uploading, uploaded (ready to send) or failed. */
export interface PendingUpload {
  /** This tab's id of the row; the upload's own id comes with `upload`. */
  key: string;
  /** The room it was uploaded to: it can be sent there only. */
  roomId: string;
  name: string;
  size: number;
  status: 'uploading' | 'done' | 'failed';
  /** How much of the file has gone out, in percent (0–100). */
  progress: number;
  /** The stored upload, once `done`. */
  upload?: Upload;
  /** Why it `failed`, in words. */
  error?: string;
  /** Whether trying again may work (the connection, the rate), unlike a refusal of the file itself. */
  retryable?: boolean;
  /** Not before then (ms): the server said when (`Retry-After`). */
  retryAt?: number;
}

export type UploadAction =
  /** A file starts uploading; a failed row with this `key` starts over. */
  | { type: 'uploadStarted'; key: string; roomId: string; name: string; size: number }
  | { type: 'uploadProgress'; key: string; sent: number; total: number }
  | { type: 'uploadDone'; key: string; upload: Upload }
  | { type: 'uploadFailed'; key: string; error: string; retryable: boolean; retryAt?: number }
  /** Cancelled while uploading, or removed from the composer. */
  | { type: 'uploadRemoved'; key: string };

function update(list: PendingUpload[], key: string, change: (u: PendingUpload) => PendingUpload): PendingUpload[] {
  const at = list.findIndex((u) => u.key === key);
  const old = list[at];
  if (!old) return list;
  const next = change(old);
  return next === old ? list : list.map((u, i) => (i === at ? next : u));
}

/** The pending uploads after `action`; the same array when nothing changes. */
export function uploadsReducer(list: PendingUpload[], action: UploadAction): PendingUpload[] {
  switch (action.type) {
    case 'uploadStarted': {
      const row: PendingUpload = {
        key: action.key,
        roomId: action.roomId,
        name: action.name,
        size: action.size,
        status: 'uploading',
        progress: 0,
      };
      return list.some((u) => u.key === action.key) ? update(list, action.key, () => row) : [...list, row];
    }
    case 'uploadProgress':
      return update(list, action.key, (u) => {
        // Whole percents only: a progress event every few milliseconds must not re-render the chat each time.
        const progress = action.total > 0 ? Math.min(100, Math.floor((action.sent / action.total) * 100)) : 0;
        return u.status !== 'uploading' || progress <= u.progress ? u : { ...u, progress };
      });
    case 'uploadDone':
      return update(list, action.key, (u) =>
        u.status !== 'uploading' ? u : { key: u.key, roomId: u.roomId, name: u.name, size: action.upload.size, status: 'done', progress: 100, upload: action.upload },
      );
    case 'uploadFailed':
      return update(list, action.key, (u) =>
        u.status !== 'uploading'
          ? u
          : { ...u, status: 'failed', error: action.error, retryable: action.retryable, retryAt: action.retryAt },
      );
    case 'uploadRemoved':
      return list.some((u) => u.key === action.key) ? list.filter((u) => u.key !== action.key) : list;
  }
}

/** The rows left once the uploads with these ids went out in a message. */
export function withoutSent(list: PendingUpload[], uploadIds: readonly string[]): PendingUpload[] {
  if (uploadIds.length === 0) return list;
  const next = list.filter((u) => !(u.upload && uploadIds.includes(u.upload.id)));
  return next.length === list.length ? list : next;
}

/**
 * How many more files a room's composer takes: a message carries at most
 * `MAX_ATTACHMENTS`, and every row but a failed one (which is never sent) counts.
 */
export function freeSlots(list: readonly PendingUpload[], roomId: string): number {
  const taken = list.filter((u) => u.roomId === roomId && u.status !== 'failed').length;
  return Math.max(0, MAX_ATTACHMENTS - taken);
}

/** What the composer says when it took only `added` of `offered` files. */
export function tooManyFilesText(offered: number, added: number): string {
  const left = offered - added;
  const files = (n: number) => `${n} ${n === 1 ? 'file' : 'files'}`;
  const head = `A message carries at most ${MAX_ATTACHMENTS} files`;
  return added === 0 ? `${head}: ${files(left)} not added.` : `${head}: ${files(added)} added, ${files(left)} not.`;
}

/**
 * What sending from a room's composer does with its text and files. `send`: the message
 * (empty text beside files) and the finished uploads it carries; `uploading`: a file is
 * still on its way, and the message waits for it (sending is disabled until then);
 * `empty`: nothing to send. Failed rows stay behind: they are not sent.
 */
export type Outgoing =
  | { kind: 'send'; message: string; attachments: Upload[] }
  | { kind: 'uploading' }
  | { kind: 'empty' };

export function outgoing(text: string, rows: readonly PendingUpload[]): Outgoing {
  if (rows.some((u) => u.status === 'uploading')) return { kind: 'uploading' };
  const attachments = rows.flatMap((u) => (u.status === 'done' && u.upload ? [u.upload] : [])).slice(0, MAX_ATTACHMENTS);
  const blank = isBlank(text);
  if (blank && attachments.length === 0) return { kind: 'empty' };
  // The server takes an empty text beside files, but refuses a blank one.
  return { kind: 'send', message: blank ? '' : text, attachments };
}

/**
 * A failed upload in words, and whether trying again may help: the connection or the
 * server's rate (after `Retry-After`), not a file it refuses (too large, not an image).
 */
export function uploadFailure(e: unknown, nowMs: number): { error: string; retryable: boolean; retryAt?: number } {
  if (!isApiError(e)) return { error: 'The upload failed.', retryable: true };
  if (e.status === 0) return { error: 'The upload failed: the server cannot be reached.', retryable: true };
  const retryAt = e.retryAfter !== null ? nowMs + e.retryAfter * 1000 : undefined;
  switch (e.error) {
    case 'file_too_large': {
      const limit = /(\d+) bytes/.exec(e.message);
      return { error: limit ? `Too large: the limit is ${formatSize(Number(limit[1]))}.` : 'Too large to upload.', retryable: false };
    }
    case 'rate_limited':
      return { error: 'Too many uploads at once.', retryable: true, retryAt };
    case 'upload_quota':
      return { error: capitalize(e.detail), retryable: true, retryAt };
  }
  return { error: capitalize(e.detail), retryable: e.status === 429 || e.status >= 500, retryAt };
}

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

// ---- attachments of a message ----

/** A size as people read it: "512 B", "12 KB", "3.4 MB" (units of 1024). */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  let shown = value < 9.95 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.6 KB reads 1 MB.
  if (shown >= 1024 && unit < units.length - 1) {
    shown = 1;
    unit += 1;
  }
  return `${shown} ${units[unit]}`;
}

/** Whether an attachment shows as an image (with a thumbnail), not as a file to download. */
export function isImage(a: Attachment): boolean {
  return IMAGE_TYPES.has(a.contentType) && (a.width ?? 0) > 0 && (a.height ?? 0) > 0;
}

/** An image's size scaled down (never up) to fit a `box` × `box` square, keeping its shape. */
export function fitWithin(width: number, height: number, box = THUMBNAIL_BOX): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: box, height: box };
  const scale = Math.min(1, box / width, box / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function fileUrl(a: Pick<Attachment, 'id'>): string {
  return `/api/uploads/${encodeURIComponent(a.id)}`;
}

export function thumbnailUrl(a: Pick<Attachment, 'id'>): string {
  return `${fileUrl(a)}/thumbnail`;
}

/** Files in one line: "📎 photo.png", "📎 photo.png and 2 more". */
export function attachmentsLabel(list: readonly Pick<Attachment, 'name'>[]): string {
  const first = list[0];
  if (!first) return '';
  return list.length === 1 ? `📎 ${first.name}` : `📎 ${first.name} and ${list.length - 1} more`;
}

/** A message in one line (room list, notifications, reply quotes): its text, else its files. */
export function messageSummary(m: { message: string; attachments?: readonly Pick<Attachment, 'name'>[] }): string {
  return isBlank(m.message) && m.attachments?.length ? attachmentsLabel(m.attachments) : m.message;
}

/**
 * What a reply's quote says: the parent's text; for a parent with files only (its quote has
 * no text), its files when it is loaded (`parent`), else that it has some.
 */
export function quoteText(quote: ReplyQuote, parent: Message | undefined): string {
  if (quote.message) return quote.message;
  if (parent?.id === quote.id && parent.attachments?.length) return attachmentsLabel(parent.attachments);
  return '📎 Attachment';
}
