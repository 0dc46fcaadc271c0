// Issue 13 in the browser, Pablo on instance A and Joe on instance B: editing and deleting
// one's messages, reactions, replies, mentions, browser notifications and muting. Each test
// works in a named room of its own and uses texts made unique by `stamp`, since these tests
// share the servers (and General) with chat.spec.ts.

import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { messageLog, openRoom, roomButton, send, signIn } from './helpers';
import { readState } from './servers';

test.describe.configure({ mode: 'serial' });

const stamp = String(Date.now());

let pabloCtx: BrowserContext;
let joeCtx: BrowserContext;
let pablo: Page;
let joe: Page;

test.beforeAll(async ({ browser }) => {
  const { instances } = readState();
  pabloCtx = await browser.newContext({ baseURL: instances.A.url, viewport: { width: 1280, height: 800 } });
  joeCtx = await browser.newContext({ baseURL: instances.B.url, viewport: { width: 1280, height: 800 } });
  pablo = await pabloCtx.newPage();
  joe = await joeCtx.newPage();
  await signIn(pablo, 'Pablo');
  await signIn(joe, 'Joe');
});

test.afterAll(async () => {
  await pabloCtx?.close();
  await joeCtx?.close();
});

// ---- helpers ----

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** The confirmed message whose own text (not a quote of it) is exactly `text`. */
function bubble(page: Page, text: string): Locator {
  return messageLog(page)
    .locator('.bubble[data-message-id]')
    .filter({ has: page.locator('.text', { hasText: exactly(text) }) });
}

/** The message with this id, whatever it shows now. */
function bubbleById(page: Page, id: string): Locator {
  return messageLog(page).locator(`.bubble[data-message-id="${id}"]`);
}

function reaction(message: Locator, emoji: string): Locator {
  return message.locator(`.reaction[data-emoji="${emoji}"]`);
}

/** An action of a message's hover toolbar (Reply, Add reaction, Edit, Delete). */
async function action(message: Locator, name: string): Promise<void> {
  await message.hover();
  await message.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name, exact: true }).click();
}

let roomsCreated = 0;

/**
 * A new named room of Pablo and Joe, open on both screens. They take turns creating them
 * (a user may create 5 rooms a minute per instance, and chat.spec.ts has used some of
 * Pablo's); past the rate, the creator waits as the server says.
 */
async function sharedRoom(title: string): Promise<string> {
  const [owner, guest] = roomsCreated++ % 2 ? [joe, pablo] : [pablo, joe];
  let created = await owner.request.post('/api/rooms', { data: { name: `${title} ${stamp}` } });
  for (let attempt = 0; created.status() === 429 && attempt < 3; attempt++) {
    await owner.waitForTimeout(1000 * Number(created.headers()['retry-after'] ?? '12'));
    created = await owner.request.post('/api/rooms', { data: { name: `${title} ${stamp}` } });
  }
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { id: string }).id;
  const joined = await guest.request.post(`/api/rooms/${id}/join`);
  expect(joined.status(), await joined.text()).toBe(200);
  await openRoom(pablo, id);
  await openRoom(joe, id);
  return id;
}

/** Opens the room again after a reload (the app starts in General). */
async function reloadInto(page: Page, roomId: string): Promise<void> {
  await page.reload();
  await openRoom(page, roomId);
}

async function userId(page: Page): Promise<string> {
  const me = await page.request.get('/api/auth/me');
  expect(me.status()).toBe(200);
  return ((await me.json()) as { id: string }).id;
}

// ---- tests ----

test('Pablo edits his message: Joe sees the new text and the edited mark, live and after a reload', async () => {
  const room = await sharedRoom('Edits');
  const original = `Meet at 10 ${stamp}`;
  const edited = `Meet at 11 ${stamp}`;
  await send(pablo, original);
  await expect(bubble(joe, original)).toHaveCount(1);

  // Only the author may edit or delete: Joe's toolbar has Reply and reactions only.
  await bubble(joe, original).hover();
  const joeTools = bubble(joe, original).getByRole('toolbar', { name: 'Message actions' });
  await expect(joeTools.getByRole('button', { name: 'Reply', exact: true })).toBeVisible();
  await expect(joeTools.getByRole('button', { name: 'Edit', exact: true })).toHaveCount(0);
  await expect(joeTools.getByRole('button', { name: 'Delete', exact: true })).toHaveCount(0);

  // Escape leaves the message as it was.
  await action(bubble(pablo, original), 'Edit');
  const editor = messageLog(pablo).getByRole('textbox', { name: 'Edit message' });
  await expect(editor).toHaveValue(original);
  await editor.fill('never sent');
  await editor.press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(bubble(pablo, original)).toHaveCount(1);

  // Enter saves.
  await action(bubble(pablo, original), 'Edit');
  await editor.fill(edited);
  await editor.press('Enter');
  await expect(editor).toHaveCount(0);
  for (const page of [pablo, joe]) {
    await expect(bubble(page, edited)).toHaveCount(1);
    await expect(bubble(page, edited).locator('.edited')).toHaveText('edited');
    await expect(bubble(page, original)).toHaveCount(0);
  }

  await reloadInto(joe, room);
  await expect(bubble(joe, edited)).toHaveCount(1);
  await expect(bubble(joe, edited).locator('.edited')).toHaveText('edited');
  await expect(bubble(joe, original)).toHaveCount(0);
});

test('Pablo deletes his message after confirming: a tombstone on both sides, after a reload too', async () => {
  const room = await sharedRoom('Deletions');
  const text = `Oops, wrong room ${stamp}`;
  await send(pablo, text);
  await expect(bubble(joe, text)).toHaveCount(1);
  const id = await bubble(pablo, text).getAttribute('data-message-id');
  expect(id).toBeTruthy();

  // Cancelling the confirmation keeps the message.
  await action(bubble(pablo, text), 'Delete');
  const confirm = bubbleById(pablo, id!).getByRole('group', { name: 'Delete this message?' });
  await confirm.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(confirm).toHaveCount(0);
  await expect(bubble(pablo, text)).toHaveCount(1);

  await action(bubble(pablo, text), 'Delete');
  await confirm.getByRole('button', { name: 'Yes, delete', exact: true }).click();
  for (const page of [pablo, joe]) {
    await expect(bubbleById(page, id!).locator('.tombstone')).toHaveText('This message was deleted');
    await expect(messageLog(page).getByText(text)).toHaveCount(0);
  }

  for (const page of [pablo, joe]) {
    await reloadInto(page, room);
    await expect(bubbleById(page, id!).locator('.tombstone')).toHaveText('This message was deleted');
    await expect(messageLog(page).getByText(text)).toHaveCount(0);
  }
});

test('reactions: counts and my pressed state on both sides, toggled off by a click', async () => {
  const room = await sharedRoom('Reactions');
  const text = `Pizza tonight? ${stamp}`;
  await send(pablo, text);
  await expect(bubble(joe, text)).toHaveCount(1);

  // Joe picks 👍 from the picker.
  await action(bubble(joe, text), 'Add reaction');
  await bubble(joe, text).getByRole('group', { name: 'Pick a reaction' }).getByRole('button', { name: 'React with 👍' }).click();
  await expect(reaction(bubble(joe, text), '👍')).toHaveText('👍 1');
  await expect(reaction(bubble(joe, text), '👍')).toHaveAttribute('aria-pressed', 'true');
  await expect(reaction(bubble(pablo, text), '👍')).toHaveText('👍 1');
  await expect(reaction(bubble(pablo, text), '👍')).toHaveAttribute('aria-pressed', 'false');

  // Pablo adds his by clicking the chip.
  await reaction(bubble(pablo, text), '👍').click();
  for (const page of [pablo, joe]) {
    await expect(reaction(bubble(page, text), '👍')).toHaveText('👍 2');
    await expect(reaction(bubble(page, text), '👍')).toHaveAttribute('aria-pressed', 'true');
  }

  // Who reacted, by name (the first few), live and from history.
  await expect(reaction(bubble(joe, text), '👍')).toHaveAttribute('title', /^You and \S+ reacted with 👍\. Take back your reaction\.$/);
  await expect(reaction(bubble(pablo, text), '👍')).toHaveAttribute('title', /^\S+ and You reacted with 👍\./);

  // The history carries the counts, which are mine and who reacted.
  await reloadInto(joe, room);
  await expect(reaction(bubble(joe, text), '👍')).toHaveText('👍 2');
  await expect(reaction(bubble(joe, text), '👍')).toHaveAttribute('aria-pressed', 'true');
  await expect(reaction(bubble(joe, text), '👍')).toHaveAttribute('title', /^You and \S+ reacted with 👍\./);

  // Joe takes his back: Pablo's stays pressed, Joe's not.
  await reaction(bubble(joe, text), '👍').click();
  await expect(reaction(bubble(joe, text), '👍')).toHaveText('👍 1');
  await expect(reaction(bubble(joe, text), '👍')).toHaveAttribute('aria-pressed', 'false');
  await expect(reaction(bubble(pablo, text), '👍')).toHaveText('👍 1');
  await expect(reaction(bubble(pablo, text), '👍')).toHaveAttribute('aria-pressed', 'true');

  // The last one taken back, the chip goes.
  await reaction(bubble(pablo, text), '👍').click();
  for (const page of [pablo, joe]) await expect(reaction(bubble(page, text), '👍')).toHaveCount(0);
});

test('replies: the quote shows on both sides; clicking it brings the parent into view, loading older pages if needed', async () => {
  const room = await sharedRoom('Replies');
  const parent = `Who brings the tent? ${stamp}`;
  const answer = `I do! ${stamp}`;
  await send(pablo, parent);
  await expect(bubble(joe, parent)).toHaveCount(1);

  // Reply sets the target above the composer; it can be cancelled.
  const replyBar = joe.locator('.reply-bar');
  await action(bubble(joe, parent), 'Reply');
  await expect(replyBar).toContainText(`Replying to Pablo: ${parent}`);
  await joe.getByRole('button', { name: 'Cancel reply' }).click();
  await expect(replyBar).toHaveCount(0);

  await action(bubble(joe, parent), 'Reply');
  await expect(replyBar).toContainText(`Replying to Pablo: ${parent}`);
  await send(joe, answer);
  await expect(replyBar).toHaveCount(0);
  for (const page of [pablo, joe]) {
    const quote = bubble(page, answer).locator('.quote');
    await expect(quote.locator('.quote-from')).toHaveText('Pablo');
    await expect(quote.locator('.quote-text')).toHaveText(parent);
  }

  // Clicking the quote flashes the parent.
  await bubble(pablo, answer).locator('.quote').click();
  await expect(bubble(pablo, parent)).toHaveClass(/\bflash\b/);

  // A reply whose parent is more than a page back: the parent is fetched on click.
  const parentId = await bubble(pablo, parent).getAttribute('data-message-id');
  for (let i = 0; i < 55; i++) {
    // Split between the two users, so that neither runs into the message rate.
    const who = i % 2 ? pablo : joe;
    const res = await who.request.post(`/api/rooms/${room}/messages`, { data: { message: `filler ${i} ${stamp}` } });
    expect(res.status(), await res.text()).toBe(201);
  }
  const late = `Still need that tent ${stamp}`;
  const res = await joe.request.post(`/api/rooms/${room}/messages`, { data: { message: late, replyTo: parentId } });
  expect(res.status(), await res.text()).toBe(201);

  await reloadInto(pablo, room);
  await expect(bubble(pablo, late)).toHaveCount(1);
  await expect(bubble(pablo, parent)).toHaveCount(0);
  await expect(bubble(pablo, late).locator('.quote-text')).toHaveText(parent);
  await bubble(pablo, late).locator('.quote').click();
  await expect(bubble(pablo, parent)).toHaveCount(1);
  await expect(bubble(pablo, parent)).toHaveClass(/\bflash\b/);
  await expect(bubble(pablo, parent)).toBeInViewport();
});

test('mentions: @ completes the name, and the mentioned user gets a mention badge', async () => {
  const room = await sharedRoom('Mentions');
  // Pablo's client knows Joe is in the room once Joe has written there.
  const hello = `Joe is here ${stamp}`;
  await send(joe, hello);
  await expect(bubble(pablo, hello)).toHaveCount(1);
  await openRoom(joe, '0');

  const box = pablo.getByRole('textbox', { name: 'Message' });
  await box.fill('');
  await box.pressSequentially('ping @Jo');
  const list = pablo.getByRole('listbox', { name: 'Mention someone' });
  await expect(list.getByRole('option', { name: '@Joe', exact: true })).toBeVisible();
  await box.press('Enter');
  await expect(box).toHaveValue('ping @Joe ');
  await expect(list).toHaveCount(0);
  await box.pressSequentially(`are you coming? ${stamp}`);
  await box.press('Enter');
  await expect(box).toHaveValue('');
  const text = `ping @Joe are you coming? ${stamp}`;
  await expect(bubble(pablo, text).locator('.mention')).toHaveText('@Joe');
  await expect(bubble(pablo, text).locator('.mention')).not.toHaveClass(/\bme\b/);

  // Joe is in General: the room shows the mention badge beside the unread count.
  await expect(roomButton(joe, room).locator('.mention-badge')).toHaveText('@1');
  await openRoom(joe, room);
  await expect(bubble(joe, text).locator('.mention.me')).toHaveText('@Joe');
  await expect(roomButton(joe, room).locator('.mention-badge')).toHaveCount(0);
});

test('notifications: a mention and a direct message notify a hidden page; a muted room does not', async ({ browser }) => {
  const room = await sharedRoom('Notify');
  const { instances } = readState();
  const ctx = await browser.newContext({ baseURL: instances.B.url, viewport: { width: 1280, height: 800 } });
  try {
    await ctx.grantPermissions(['notifications'], { origin: instances.B.url });
    // The page believes it is in a background tab, and every notification is recorded.
    await ctx.addInitScript(() => {
      Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => true });
      const shown: { title: string; body?: string; tag?: string }[] = [];
      (window as unknown as { __notifications: typeof shown }).__notifications = shown;
      const Real = window.Notification;
      window.Notification = new Proxy(Real, {
        construct(target, args: unknown[]) {
          const [title, options] = args as [string, NotificationOptions | undefined];
          shown.push({ title, body: options?.body, tag: options?.tag });
          try {
            return Reflect.construct(target, args) as object;
          } catch {
            return new EventTarget();
          }
        },
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    });
    const hidden = await ctx.newPage();
    await signIn(hidden, 'Joe');
    await expect(roomButton(hidden, room)).toBeVisible();
    // Granted already: nothing to ask.
    await expect(hidden.getByRole('button', { name: 'Enable notifications' })).toHaveCount(0);
    const notes = () =>
      hidden.evaluate(() => (window as unknown as { __notifications: { title: string; body?: string }[] }).__notifications);

    // A mention in the named room.
    const mention = `@Joe the slides, please ${stamp}`;
    await send(pablo, mention);
    await expect.poll(notes).toEqual([{ title: `Pablo mentioned you in # Notify ${stamp}`, body: mention, tag: `room-${room}` }]);

    // A direct message.
    const joeId = await userId(joe);
    const direct = await pablo.request.post('/api/rooms/direct', { data: { userId: joeId } });
    expect(direct.status(), await direct.text()).toBe(200);
    const dm = ((await direct.json()) as { id: string }).id;
    await openRoom(pablo, dm);
    const secret = `Just between us ${stamp}`;
    await send(pablo, secret);
    await expect.poll(async () => (await notes()).length).toBe(2);
    expect((await notes())[1]).toMatchObject({ title: 'Pablo', body: secret });

    // Joe mutes the named room in the hidden tab; his other tab follows.
    await openRoom(hidden, room);
    await hidden.getByRole('button', { name: 'Mute room', exact: true }).click();
    await expect(hidden.getByRole('button', { name: 'Unmute room', exact: true })).toHaveAttribute('aria-pressed', 'true');
    await expect(roomButton(hidden, room).locator('.muted-icon')).toBeVisible();
    await expect(roomButton(joe, room).locator('.muted-icon')).toBeVisible();

    // A mention there now arrives (and counts, in Joe's other tab, which is in General)
    // without a notification.
    await openRoom(joe, '0');
    await openRoom(pablo, room);
    const quiet = `@Joe one more thing ${stamp}`;
    await send(pablo, quiet);
    await expect(bubble(hidden, quiet)).toHaveCount(1);
    await expect(roomButton(joe, room).locator('.badge')).toHaveText('1');
    await expect(roomButton(joe, room).locator('.mention-badge')).toHaveText('@1');
    expect(await notes()).toHaveLength(2);

    await hidden.getByRole('button', { name: 'Unmute room', exact: true }).click();
    await expect(hidden.getByRole('button', { name: 'Mute room', exact: true })).toHaveAttribute('aria-pressed', 'false');
  } finally {
    await ctx.close();
  }
});
