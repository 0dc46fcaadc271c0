import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { Attachment } from '../api/types';
import { chatReducer, initialState, uploadsFor, type ChatState } from './chat';
import { msg, summary } from './fixtures';
import {
  attachmentsLabel,
  fitWithin,
  formatSize,
  freeSlots,
  isImage,
  MAX_ATTACHMENTS,
  messageSummary,
  outgoing,
  quoteText,
  tooManyFilesText,
  uploadFailure,
  uploadsReducer,
  withoutSent,
  type PendingUpload,
  type UploadAction,
} from './uploads';

const png = (id: string, width = 64, height = 48): Attachment => ({ id, name: `${id}.png`, size: 1234, contentType: 'image/png', width, height });
const pdf = (id: string): Attachment => ({ id, name: `${id}.pdf`, size: 2048, contentType: 'application/pdf' });

function apply(actions: UploadAction[], list: PendingUpload[] = []): PendingUpload[] {
  return actions.reduce(uploadsReducer, list);
}

const started = (key: string, roomId = '7', name = `${key}.png`, size = 1000): UploadAction => ({ type: 'uploadStarted', key, roomId, name, size });
const done = (key: string, upload: Attachment = png(`u-${key}`)): UploadAction => ({ type: 'uploadDone', key, upload });

describe('formatSize', () => {
  it('says bytes, then KB, MB, GB in units of 1024, one decimal under 10', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1 KB');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(12 * 1024 + 300)).toBe('12 KB');
    expect(formatSize(3.4 * 1024 * 1024)).toBe('3.4 MB');
    expect(formatSize(25 * 1024 * 1024)).toBe('25 MB');
    expect(formatSize(2.25 * 1024 ** 3)).toBe('2.3 GB');
  });

  it('goes up a unit rather than show 1024 of one', () => {
    expect(formatSize(1024 * 1024 - 10)).toBe('1 MB');
    expect(formatSize(9.97 * 1024)).toBe('10 KB');
  });
});

describe('images', () => {
  it('are the four decoded types with a size; anything else is a download', () => {
    expect(isImage(png('a'))).toBe(true);
    expect(isImage({ ...png('a'), contentType: 'image/webp' })).toBe(true);
    expect(isImage(pdf('b'))).toBe(false);
    expect(isImage({ id: 'c', name: 'logo.svg', size: 10, contentType: 'application/octet-stream' })).toBe(false);
    expect(isImage({ id: 'd', name: 'x.png', size: 10, contentType: 'image/png' })).toBe(false);
  });

  it('fit the 320 box keeping their shape, never scaled up', () => {
    expect(fitWithin(64, 48)).toEqual({ width: 64, height: 48 });
    expect(fitWithin(640, 480)).toEqual({ width: 320, height: 240 });
    expect(fitWithin(480, 1000)).toEqual({ width: 154, height: 320 });
    expect(fitWithin(10000, 10)).toEqual({ width: 320, height: 1 });
    expect(fitWithin(0, 0)).toEqual({ width: 320, height: 320 });
  });
});

describe('pending uploads', () => {
  it('start uploading, show whole percents, and keep the stored upload when done', () => {
    const list = apply([started('a'), { type: 'uploadProgress', key: 'a', sent: 333, total: 1000 }]);
    expect(list).toEqual([{ key: 'a', roomId: '7', name: 'a.png', size: 1000, status: 'uploading', progress: 33 }]);
    const upload = png('u1');
    expect(apply([done('a', upload)], list)).toEqual([
      { key: 'a', roomId: '7', name: 'a.png', size: upload.size, status: 'done', progress: 100, upload },
    ]);
  });

  it('change nothing (the same array) for progress within the same percent, backwards, or after the end', () => {
    const list = apply([started('a'), { type: 'uploadProgress', key: 'a', sent: 500, total: 1000 }]);
    expect(uploadsReducer(list, { type: 'uploadProgress', key: 'a', sent: 504, total: 1000 })).toBe(list);
    expect(uploadsReducer(list, { type: 'uploadProgress', key: 'a', sent: 100, total: 1000 })).toBe(list);
    const finished = apply([done('a')], list);
    expect(uploadsReducer(finished, { type: 'uploadProgress', key: 'a', sent: 1000, total: 1000 })).toBe(finished);
    expect(uploadsReducer(finished, { type: 'uploadProgress', key: 'gone', sent: 1, total: 2 })).toBe(finished);
  });

  it('fail with the reason, and start over in place when tried again', () => {
    const failed = apply([started('a'), started('b'), { type: 'uploadFailed', key: 'a', error: 'Too many uploads at once.', retryable: true, retryAt: 5000 }]);
    expect(failed[0]).toMatchObject({ key: 'a', status: 'failed', error: 'Too many uploads at once.', retryable: true, retryAt: 5000 });
    const again = apply([started('a')], failed);
    expect(again.map((u) => [u.key, u.status])).toEqual([
      ['a', 'uploading'],
      ['b', 'uploading'],
    ]);
    expect(again[0]).not.toHaveProperty('error');
  });

  it('are removed when cancelled or taken off, and ignore a late answer for a removed row', () => {
    const list = apply([started('a'), started('b'), { type: 'uploadRemoved', key: 'a' }]);
    expect(list.map((u) => u.key)).toEqual(['b']);
    expect(uploadsReducer(list, done('a'))).toBe(list);
    expect(uploadsReducer(list, { type: 'uploadFailed', key: 'a', error: 'x', retryable: false })).toBe(list);
    expect(uploadsReducer(list, { type: 'uploadRemoved', key: 'a' })).toBe(list);
  });

  it('leave once sent, by upload id', () => {
    const list = apply([started('a'), started('b'), done('a', png('ua')), done('b', png('ub'))]);
    expect(withoutSent(list, ['ua']).map((u) => u.key)).toEqual(['b']);
    expect(withoutSent(list, [])).toBe(list);
    expect(withoutSent(list, ['other'])).toBe(list);
  });

  it(`take at most ${MAX_ATTACHMENTS} files per room's message; failed rows take no place`, () => {
    const keys = Array.from({ length: 9 }, (_, i) => `k${i}`);
    let list = apply(keys.map((k) => started(k)));
    expect(freeSlots(list, '7')).toBe(1);
    expect(freeSlots(list, '8')).toBe(MAX_ATTACHMENTS);
    list = apply([started('k9')], list);
    expect(freeSlots(list, '7')).toBe(0);
    list = apply([{ type: 'uploadFailed', key: 'k3', error: 'Too large.', retryable: false }], list);
    expect(freeSlots(list, '7')).toBe(1);
  });

  it('say how many files were left out', () => {
    expect(tooManyFilesText(12, 10)).toBe('A message carries at most 10 files: 10 files added, 2 files not.');
    expect(tooManyFilesText(1, 0)).toBe('A message carries at most 10 files: 1 file not added.');
  });
});

describe('sending from the composer', () => {
  const ready = apply([started('a'), started('b'), done('a', png('ua')), done('b', pdf('ub'))]);

  it('sends text alone, files alone (with an empty text), or both', () => {
    expect(outgoing('hello', [])).toEqual({ kind: 'send', message: 'hello', attachments: [] });
    expect(outgoing('', ready)).toEqual({ kind: 'send', message: '', attachments: [png('ua'), pdf('ub')] });
    expect(outgoing('  \n ', ready)).toEqual({ kind: 'send', message: '', attachments: [png('ua'), pdf('ub')] });
    expect(outgoing(' look ', ready)).toEqual({ kind: 'send', message: ' look ', attachments: [png('ua'), pdf('ub')] });
  });

  it('has nothing to send without text or finished files', () => {
    expect(outgoing('', [])).toEqual({ kind: 'empty' });
    expect(outgoing(' ', [])).toEqual({ kind: 'empty' });
    const failed = apply([started('c'), { type: 'uploadFailed', key: 'c', error: 'Too large.', retryable: false }]);
    expect(outgoing('', failed)).toEqual({ kind: 'empty' });
    expect(outgoing('text', failed)).toEqual({ kind: 'send', message: 'text', attachments: [] });
  });

  it('waits while a file is still uploading, even with text', () => {
    const uploading = apply([started('c')], ready);
    expect(outgoing('hello', uploading)).toEqual({ kind: 'uploading' });
    expect(outgoing('', uploading)).toEqual({ kind: 'uploading' });
  });
});

describe('a failed upload in words', () => {
  it('says the connection failed, and may be tried again', () => {
    expect(uploadFailure(new ApiError(0, 'network', 'The server cannot be reached.'), 0)).toEqual({
      error: 'The upload failed: the server cannot be reached.',
      retryable: true,
    });
  });

  it('gives the limit of a file too large, in words, and no retry', () => {
    expect(uploadFailure(new ApiError(413, 'file_too_large', 'file: larger than the limit of 26214400 bytes'), 0)).toEqual({
      error: 'Too large: the limit is 25 MB.',
      retryable: false,
    });
    expect(uploadFailure(new ApiError(413, 'file_too_large', 'file: larger than the upload limit'), 0)).toMatchObject({
      error: 'Too large to upload.',
    });
  });

  it('waits as long as the server says when throttled', () => {
    expect(uploadFailure(new ApiError(429, 'rate_limited', 'too many uploads; retry in 12 s', 12), 1_000)).toEqual({
      error: 'Too many uploads at once.',
      retryable: true,
      retryAt: 13_000,
    });
    expect(uploadFailure(new ApiError(429, 'upload_quota', "file: today's upload allowance is used up", 3600), 0)).toMatchObject({
      error: "Today's upload allowance is used up",
      retryAt: 3_600_000,
    });
  });

  it("shows the server's reason for a refused file, and a busy server may be tried again", () => {
    expect(uploadFailure(new ApiError(422, 'invalid_image', 'file: not a PNG image'), 0)).toEqual({ error: 'Not a PNG image', retryable: false });
    expect(uploadFailure(new ApiError(503, 'busy', 'too many images are being processed; retry in a moment'), 0)).toMatchObject({
      retryable: true,
    });
  });
});

describe('summaries', () => {
  it('name the files of a message without text', () => {
    expect(attachmentsLabel([png('a')])).toBe('📎 a.png');
    expect(attachmentsLabel([png('a'), pdf('b'), pdf('c')])).toBe('📎 a.png and 2 more');
    expect(messageSummary({ message: '', attachments: [pdf('b')] })).toBe('📎 b.pdf');
    expect(messageSummary({ message: 'see this', attachments: [pdf('b')] })).toBe('see this');
    expect(messageSummary({ message: 'plain' })).toBe('plain');
  });

  it('quote the text of a parent, else its files when loaded, else that it has some', () => {
    const parent = { ...msg('p', 1), message: '', attachments: [png('a')] };
    expect(quoteText({ id: 'p', from: '1', message: 'hi' }, undefined)).toBe('hi');
    expect(quoteText({ id: 'p', from: '1', message: '' }, parent)).toBe('📎 a.png');
    expect(quoteText({ id: 'p', from: '1', message: '' }, undefined)).toBe('📎 Attachment');
  });
});

describe('the chat state', () => {
  function withRooms(): ChatState {
    return chatReducer(initialState(), { type: 'roomsListed', rooms: [summary('0', 'General'), summary('7', 'Rust')] });
  }

  it('keeps each room its own files, and drops them with the room', () => {
    let s = withRooms();
    for (const a of [started('a', '7'), started('b', '0')]) s = chatReducer(s, a);
    expect(uploadsFor(s, '7').map((u) => u.key)).toEqual(['a']);
    expect(uploadsFor(s, '0').map((u) => u.key)).toEqual(['b']);
    s = chatReducer(s, { type: 'roomRemoved', roomId: '7' });
    expect(s.uploads.map((u) => u.key)).toEqual(['b']);
    s = chatReducer(s, { type: 'roomsListed', rooms: [summary('7', 'Rust')] });
    expect(s.uploads).toEqual([]);
  });

  it('moves the files sent from the composer to the pending message', () => {
    let s = withRooms();
    for (const a of [started('a'), started('b'), done('a', png('ua'))]) s = chatReducer(s, a);
    s = chatReducer(s, { type: 'sendStarted', clientId: 'c1', roomId: '7', message: '', at: 1, attachments: [png('ua')] });
    expect(s.pending[0]).toMatchObject({ clientId: 'c1', message: '', attachments: [png('ua')] });
    expect(s.uploads.map((u) => u.key)).toEqual(['b']);
  });

  it('does not re-render for progress within a percent', () => {
    let s = chatReducer(withRooms(), started('a'));
    s = chatReducer(s, { type: 'uploadProgress', key: 'a', sent: 10, total: 100 });
    expect(chatReducer(s, { type: 'uploadProgress', key: 'a', sent: 10.5, total: 100 })).toBe(s);
  });
});
