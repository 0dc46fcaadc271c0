// Issue 23 in the browser, Pablo on instance A and Joe on instance B: files in messages.
// A picture sent with a text shows live on the other instance as a thumbnail that opens
// full size; a PDF sent alone shows as a chip and downloads byte for byte; files dropped
// onto the conversation or pasted into the composer are attached like picked ones; a
// message takes ten files at most, and a pending file can be cancelled or removed. The
// tests share one named room of their own, named with `stamp`, since they share the servers
// with the other specs.

import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { expect, test, type BrowserContext, type Locator, type Page, type Route } from '@playwright/test';
import { messageLog, openRoom, roomButton, send, signIn } from './helpers';
import { readState } from './servers';

test.describe.configure({ mode: 'serial' });

const stamp = String(Date.now());

let pabloCtx: BrowserContext;
let joeCtx: BrowserContext;
let pablo: Page;
let joe: Page;
let room: string;

test.beforeAll(async ({ browser }) => {
  const { instances } = readState();
  pabloCtx = await browser.newContext({ baseURL: instances.A.url, viewport: { width: 1280, height: 800 } });
  joeCtx = await browser.newContext({ baseURL: instances.B.url, viewport: { width: 1280, height: 800 } });
  pablo = await pabloCtx.newPage();
  joe = await joeCtx.newPage();
  await signIn(pablo, 'Pablo');
  await signIn(joe, 'Joe');
  room = await sharedRoom(`Files ${stamp}`);
});

test.afterAll(async () => {
  await pabloCtx?.close();
  await joeCtx?.close();
});

// ---- files made here ----

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG of `width` × `height` pixels of one colour (8-bit RGB). */
function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = 2; // RGB; compression, filter and interlace stay 0
  const row = Buffer.alloc(1 + width * 3); // filter type 0, then the pixels
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal valid one-page PDF (under 1 KB), its cross-reference table included. */
function minimalPdf(title: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    stream(`BT /F1 12 Tf 20 50 Td (${title}) Tj ET`),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) out += `${String(at).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');

  function stream(content: string): string {
    return `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  }
}

// ---- what the users see and do ----

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** The confirmed message whose own text is exactly `text`. */
function bubble(page: Page, text: string): Locator {
  return messageLog(page)
    .locator('.bubble[data-message-id]')
    .filter({ has: page.locator('.text', { hasText: exactly(text) }) });
}

/** The confirmed message carrying a file of this name. */
function bubbleWithFile(page: Page, name: string): Locator {
  return messageLog(page)
    .locator('.bubble[data-message-id]')
    .filter({ has: page.locator('.attachments', { hasText: name }) });
}

/** The composer's rows of attached files. */
function attachedRows(page: Page): Locator {
  return page.getByRole('list', { name: 'Attached files' }).getByRole('listitem');
}

function attachedRow(page: Page, name: string): Locator {
  return attachedRows(page).filter({ hasText: name });
}

/** Attaches files through the Attach button's file picker. */
async function pick(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files', exact: true }).click();
  await (await chooser).setFiles(files);
}

/** Whether an image has loaded, and how wide it is (0 until it has). */
function naturalWidth(img: Locator): Promise<number> {
  return img.evaluate((el) => (el instanceof HTMLImageElement && el.complete ? el.naturalWidth : 0));
}

let roomsCreated = 0;

/**
 * A new named room of Pablo and Joe, open on both screens. Past the rate of room creation
 * (which the other specs use too), the creator waits as the server says.
 */
async function sharedRoom(name: string): Promise<string> {
  const [owner, guest] = roomsCreated++ % 2 ? [joe, pablo] : [pablo, joe];
  let created = await owner.request.post('/api/rooms', { data: { name } });
  for (let attempt = 0; created.status() === 429 && attempt < 3; attempt++) {
    await owner.waitForTimeout(1000 * Number(created.headers()['retry-after'] ?? '12'));
    created = await owner.request.post('/api/rooms', { data: { name } });
  }
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { id: string }).id;
  const joined = await guest.request.post(`/api/rooms/${id}/join`);
  expect(joined.status(), await joined.text()).toBe(200);
  await openRoom(pablo, id);
  await openRoom(joe, id);
  return id;
}

// ---- tests ----

test('Pablo sends a picture with a text: Joe sees the thumbnail live and opens it full size', async () => {
  const name = `view-${stamp}.png`;
  const caption = `The view from the office ${stamp}`;
  await pick(pablo, [{ name, mimeType: 'image/png', buffer: solidPng(64, 48, [85, 110, 230]) }]);
  const row = attachedRow(pablo, name);
  await expect(row).toHaveAttribute('data-status', 'done');
  await expect(row).toContainText('Ready');
  await send(pablo, caption);
  await expect(attachedRows(pablo)).toHaveCount(0);

  // Live on the other instance: the thumbnail, sized before it loads, then loaded.
  const thumb = bubble(joe, caption).getByRole('img', { name, exact: true });
  await expect(thumb).toBeVisible();
  await expect(thumb).toHaveAttribute('width', '64');
  await expect(thumb).toHaveAttribute('height', '48');
  await expect(thumb).toHaveAttribute('src', /^\/api\/uploads\/[^/]+\/thumbnail$/);
  await expect.poll(() => naturalWidth(thumb)).toBeGreaterThan(0);
  await expect(bubble(pablo, caption).getByRole('img', { name, exact: true })).toBeVisible();

  // A click shows the full image in a dialog named after the file; Escape closes it.
  await thumb.click();
  const dialog = joe.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  const full = dialog.getByRole('img', { name, exact: true });
  await expect.poll(() => naturalWidth(full)).toBe(64);
  expect(await full.evaluate((el) => (el as HTMLImageElement).naturalHeight)).toBe(48);
  const id = /^\/api\/uploads\/([^/]+)\/thumbnail$/.exec((await thumb.getAttribute('src')) ?? '')?.[1];
  await expect(dialog.getByRole('link', { name: 'Open in new tab' })).toHaveAttribute('href', `/api/uploads/${id}`);
  await expect(dialog.getByRole('link', { name: 'Open in new tab' })).toHaveAttribute('target', '_blank');
  await joe.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // From the history too.
  await joe.reload();
  await openRoom(joe, room);
  await expect.poll(() => naturalWidth(bubble(joe, caption).getByRole('img', { name, exact: true }))).toBeGreaterThan(0);
});

test('Pablo sends a PDF alone: Joe sees a file chip with its name and size, and downloads it intact', async () => {
  const name = `minutes-${stamp}.pdf`;
  const pdf = minimalPdf(`Minutes ${stamp}`);
  expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
  expect(pdf.length).toBeLessThan(1024);
  await pick(pablo, [{ name, mimeType: 'application/pdf', buffer: pdf }]);
  await expect(attachedRow(pablo, name)).toHaveAttribute('data-status', 'done');

  // No text: the file alone goes.
  const box = pablo.getByRole('textbox', { name: 'Message' });
  await box.fill('');
  await expect(pablo.getByRole('button', { name: 'Send', exact: true })).toBeEnabled();
  await box.press('Enter');
  await expect(attachedRows(pablo)).toHaveCount(0);

  const message = bubbleWithFile(joe, name);
  await expect(message).toHaveCount(1);
  await expect(message.locator('.text')).toHaveCount(0);
  const chip = message.getByRole('link', { name: new RegExp(name.replace(/[.]/g, '\\.')) });
  await expect(chip).toContainText(name);
  await expect(chip).toContainText(`${pdf.length} B`);
  await expect(chip).toHaveAttribute('download', name);
  await expect(roomButton(pablo, room).locator('.room-preview')).toContainText(`📎 ${name}`);

  const download = joe.waitForEvent('download');
  await chip.click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(name);
  expect(readFileSync(await file.path())).toEqual(pdf);
});

test('a file dropped onto the conversation is attached and sent like a picked one', async () => {
  const name = `dropped-${stamp}.png`;
  const caption = `Dropped in ${stamp}`;
  const bytes = [...solidPng(40, 30, [52, 195, 143])];
  const files = await pablo.evaluateHandle(
    ({ name, bytes }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
      return dt;
    },
    { name, bytes },
  );
  const conversation = pablo.locator('section.conversation');
  await conversation.dispatchEvent('dragenter', { dataTransfer: files });
  await expect(pablo.locator('.drop-zone')).toBeVisible();
  await conversation.dispatchEvent('dragover', { dataTransfer: files });
  await conversation.dispatchEvent('drop', { dataTransfer: files });
  await expect(pablo.locator('.drop-zone')).toHaveCount(0);
  await expect(attachedRow(pablo, name)).toHaveAttribute('data-status', 'done');
  await send(pablo, caption);

  const thumb = bubble(joe, caption).getByRole('img', { name, exact: true });
  await expect.poll(() => naturalWidth(thumb)).toBeGreaterThan(0);
  await expect(thumb).toHaveAttribute('width', '40');
});

test('a pasted image is attached, and a finished file can be removed before sending', async () => {
  const name = `pasted-${stamp}.png`;
  const box = pablo.getByRole('textbox', { name: 'Message' });
  await box.evaluate(
    (el, { name, bytes }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    },
    { name, bytes: [...solidPng(8, 8, [214, 57, 57])] },
  );
  const row = attachedRow(pablo, name);
  await expect(row).toHaveAttribute('data-status', 'done');
  await expect(box).toHaveValue('');
  await row.getByRole('button', { name: `Remove ${name}` }).click();
  await expect(attachedRows(pablo)).toHaveCount(0);

  // Nothing left to send.
  await expect(pablo.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
  await box.press('Enter');
  await expect(messageLog(pablo).locator('.bubble.pending')).toHaveCount(0);
});

test('a message takes ten files: more are refused with a notice; uploading ones can be cancelled and hold the send', async () => {
  // The uploads are held on their way, so that they are still uploading.
  const held: Route[] = [];
  await pablo.route('**/api/rooms/*/uploads', (route) => {
    held.push(route);
  });
  try {
    const files = Array.from({ length: 11 }, (_, i) => ({
      name: `many-${i}-${stamp}.png`,
      mimeType: 'image/png',
      buffer: solidPng(4, 4, [i * 20, 0, 0]),
    }));
    await pick(pablo, files);
    await expect(pablo.getByRole('alert').filter({ hasText: 'A message carries at most 10 files: 10 files added, 1 file not.' })).toBeVisible();
    await expect(attachedRows(pablo)).toHaveCount(10);
    await expect(attachedRow(pablo, `many-10-${stamp}.png`)).toHaveCount(0);
    const first = attachedRow(pablo, `many-0-${stamp}.png`);
    await expect(first).toHaveAttribute('data-status', 'uploading');
    await expect(first.getByRole('progressbar', { name: `Uploading many-0-${stamp}.png` })).toHaveAttribute('aria-valuenow', /^\d+$/);

    // Sending waits for the uploads.
    const box = pablo.getByRole('textbox', { name: 'Message' });
    await box.fill(`Not yet ${stamp}`);
    await expect(pablo.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
    await box.press('Enter');
    await expect(box).toHaveValue(`Not yet ${stamp}`);
    await expect(pablo.getByRole('status').filter({ hasText: 'Files are still uploading' })).toBeVisible();

    // Cancel takes a row off at once.
    await first.getByRole('button', { name: `Cancel many-0-${stamp}.png` }).click();
    await expect(first).toHaveCount(0);
    await expect(attachedRows(pablo)).toHaveCount(9);
    for (let i = 1; i < 10; i++) {
      await attachedRow(pablo, `many-${i}-${stamp}.png`).getByRole('button', { name: `Cancel many-${i}-${stamp}.png` }).click();
    }
    await expect(attachedRows(pablo)).toHaveCount(0);
    await expect(pablo.getByRole('button', { name: 'Send', exact: true })).toBeEnabled();
    await box.fill('');
  } finally {
    await pablo.unrouteAll({ behavior: 'ignoreErrors' });
  }
  expect(held.length).toBeGreaterThan(0);
});
