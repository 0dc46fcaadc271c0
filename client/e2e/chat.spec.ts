// Two users on two server instances (Pablo on A, Joe on B) chat through the shared Redis;
// Mary, a third user, must never see their direct room. Instance A is killed and started
// again mid-conversation: nothing on Pablo's screen is lost and what Joe sent meanwhile
// shows up after the reconnect.

import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import {
  chats,
  confirmed,
  directRoomId,
  messageLog,
  openRoom,
  pendingBubbles,
  roomButton,
  seesOnce,
  send,
  signIn,
  unreadBadge,
  unreadCount,
} from './helpers';
import { CLIENT_DIR, killInstance, OUTPUT_DIR, readState, restartInstance } from './servers';

test.describe.configure({ mode: 'serial' });

// Every run has a Redis of its own, so plain texts are unique enough.

let pabloCtx: BrowserContext;
let joeCtx: BrowserContext;
let pablo: Page;
let joe: Page;
let direct = '';

/** Everything Pablo has seen in General so far; none of it may disappear. */
const generalSoFar: string[] = [];

test.beforeAll(async ({ browser }) => {
  const { instances } = readState();
  pabloCtx = await browser.newContext({ baseURL: instances.A.url, viewport: { width: 1280, height: 800 } });
  joeCtx = await browser.newContext({ baseURL: instances.B.url, viewport: { width: 1280, height: 800 } });
  pablo = await pabloCtx.newPage();
  joe = await joeCtx.newPage();
});

test.afterAll(async () => {
  await pabloCtx?.close();
  await joeCtx?.close();
});

test('the sign-in screen offers the demo users and shows errors next to the field', async () => {
  await pablo.goto('/');
  await expect(pablo.getByRole('heading', { name: 'Welcome back!' })).toBeVisible();
  for (const name of ['Pablo', 'Joe', 'Mary', 'Alex']) {
    await expect(pablo.getByRole('button', { name: `Sign in as ${name}` })).toBeVisible();
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await pablo.screenshot({ path: path.join(OUTPUT_DIR, 'login.png') });

  // A wrong password is reported next to the password field.
  await pablo.getByLabel('Name').fill('Pablo');
  await pablo.getByLabel('Password').fill('wrong-password');
  await pablo.locator('form').getByRole('button', { name: 'Sign in' }).click();
  await expect(pablo.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await expect(pablo.locator('.field-error')).toBeVisible();

  // Registering a taken name is reported next to the name field.
  await pablo.getByRole('button', { name: 'Create account' }).first().click();
  await pablo.getByLabel('Name').fill('Joe');
  await pablo.getByLabel('Password').fill('password123');
  await pablo.locator('form').getByRole('button', { name: 'Create account' }).click();
  await expect(pablo.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
  await pablo.screenshot({ path: path.join(OUTPUT_DIR, 'login-error.png') });
});

test('Pablo (instance A) and Joe (instance B) chat live in General', async () => {
  await signIn(pablo, 'Pablo');
  await signIn(joe, 'Joe');
  await expect(messageLog(pablo)).toBeVisible();
  await expect(pablo.getByRole('heading', { name: 'General' })).toBeVisible();

  // Presence crosses instances.
  await expect(chats(pablo).getByRole('button', { name: 'Chat with Joe' })).toBeVisible();
  await expect(chats(joe).getByRole('button', { name: 'Chat with Pablo' })).toBeVisible();

  const hello = 'Hello Joe, from A';
  await send(pablo, hello);
  await seesOnce(pablo, hello);
  await seesOnce(joe, hello);
  await expect(pendingBubbles(pablo)).toHaveCount(0);

  // Typing shows on the other instance.
  await joe.getByRole('textbox', { name: 'Message' }).fill('typing something');
  await expect(pablo.getByText('Joe is typing…')).toBeVisible();

  const reply = 'Hi Pablo, from B';
  await send(joe, reply);
  await seesOnce(pablo, reply);
  await seesOnce(joe, reply);
  generalSoFar.push(hello, reply);

  // Keyboard: Shift+Enter makes a new line, Enter sends.
  const box = pablo.getByRole('textbox', { name: 'Message' });
  await box.fill('two');
  await box.press('Shift+Enter');
  await box.pressSequentially('lines');
  await box.press('Enter');
  await seesOnce(joe, 'two\nlines');
  generalSoFar.push('two\nlines');
});

test('they chat in their direct room; the unread badge counts and clears', async () => {
  direct = await directRoomId(pablo, 'Joe');
  expect(direct).toMatch(/^\d+:\d+$/);
  await openRoom(pablo, direct);
  // The demo data may have left Joe unread greetings there.
  const unreadBefore = await unreadCount(joe, direct);
  const secret = 'Direct: just between us';
  await send(pablo, secret);
  await seesOnce(pablo, secret);

  // Joe is in General: the direct room gets a badge and the preview.
  await expect(unreadBadge(joe, direct)).toHaveText(String(unreadBefore + 1));
  await expect(roomButton(joe, direct)).toContainText(secret);
  await openRoom(joe, direct);
  await seesOnce(joe, secret);
  await expect(unreadBadge(joe, direct)).toHaveCount(0);

  const answer = 'Direct: agreed';
  await send(joe, answer);
  await seesOnce(pablo, answer);

  await pablo.screenshot({ path: path.join(OUTPUT_DIR, 'chat-direct.png') });
  await openRoom(pablo, '0');
  await openRoom(joe, '0');
});

test('Mary never sees the direct room of Pablo and Joe, nor its messages', async ({ browser }) => {
  const { instances } = readState();
  const maryCtx = await browser.newContext({ baseURL: instances.B.url });
  const mary = await maryCtx.newPage();
  try {
    await signIn(mary, 'Mary');
    await expect(roomButton(mary, '0')).toBeVisible();
    await expect(roomButton(mary, direct)).toHaveCount(0);

    // A new secret while Mary is online does not reach her either.
    await openRoom(pablo, direct);
    const secret2 = 'Direct: Mary must not read this';
    await send(pablo, secret2);
    await expect(unreadBadge(joe, direct)).toHaveText('1'); // Joe is in General
    await mary.waitForTimeout(1500);
    await expect(mary.locator('body')).not.toContainText('Direct:');
    await expect(roomButton(mary, direct)).toHaveCount(0);

    // And the API refuses her the history and posting there (403 not a member, or 404:
    // a direct room of others does not exist for her).
    const res = await mary.request.get(`/api/rooms/${encodeURIComponent(direct)}/messages`);
    expect([403, 404]).toContain(res.status());
    expect(await res.text()).not.toContain('Direct:');
    const post = await mary.request.post(`/api/rooms/${encodeURIComponent(direct)}/messages`, { data: { message: 'intrusion' } });
    expect([403, 404]).toContain(post.status());

    await openRoom(joe, direct);
    await seesOnce(joe, secret2);
    await openRoom(joe, '0');
    await openRoom(pablo, '0');
  } finally {
    await maryCtx.close();
  }
});

test('a page reload keeps the session and the conversation', async () => {
  await pablo.reload();
  await expect(chats(pablo)).toBeVisible();
  await expect(pablo.getByRole('button', { name: 'Sign in as Pablo' })).toHaveCount(0);
  for (const text of generalSoFar) await seesOnce(pablo, text);
});

test('a second tab of Pablo gets his messages and follows his read markers', async () => {
  const tab2 = await pabloCtx.newPage();
  try {
    await tab2.goto('/');
    await expect(chats(tab2)).toBeVisible();
    await seesOnce(tab2, 'Hello Joe, from A');

    // What one tab sends shows once in the other.
    const fromTab1 = 'Sent from my first tab';
    await send(pablo, fromTab1);
    await seesOnce(tab2, fromTab1);
    await seesOnce(pablo, fromTab1);
    generalSoFar.push(fromTab1);

    // Joe writes in the direct room: both tabs count it; reading it in one clears both.
    await openRoom(joe, direct);
    await send(joe, 'Direct: are you there?');
    await expect(unreadBadge(pablo, direct)).toBeVisible();
    await expect(unreadBadge(tab2, direct)).toBeVisible();
    await openRoom(pablo, direct);
    await seesOnce(pablo, 'Direct: are you there?');
    await expect(unreadBadge(tab2, direct)).toHaveCount(0);
    await openRoom(pablo, '0');
    await openRoom(joe, '0');
  } finally {
    await tab2.close();
  }
});

test('restarting instance A loses nothing and delivers what was sent meanwhile', async () => {
  test.setTimeout(240_000);
  const before = 'Before the restart';
  await send(pablo, before);
  await seesOnce(joe, before);
  generalSoFar.push(before);

  await killInstance('A');
  await expect(pablo.getByRole('status').filter({ hasText: 'Connection lost' })).toBeVisible({ timeout: 30_000 });
  await expect(chats(pablo).getByText('Offline', { exact: true })).toBeVisible();

  // Pablo writes while cut off: the message is kept and marked.
  const offline = 'Written while A was down';
  await send(pablo, offline);
  await expect(pendingBubbles(pablo).filter({ hasText: offline })).toHaveCount(1);
  await pablo.screenshot({ path: path.join(OUTPUT_DIR, 'chat-offline.png') });

  // Joe keeps talking through B, in General and in the direct room.
  const meanwhile1 = 'Meanwhile on B, one';
  const meanwhile2 = 'Meanwhile on B, two';
  await send(joe, meanwhile1);
  await send(joe, meanwhile2);
  await seesOnce(joe, meanwhile2);
  await openRoom(joe, direct);
  const meanwhileDirect = 'Direct: sent while A was down';
  await send(joe, meanwhileDirect);
  await seesOnce(joe, meanwhileDirect);
  await openRoom(joe, '0');

  await restartInstance('A');
  await expect(pablo.getByRole('status').filter({ hasText: 'Connection lost' })).toHaveCount(0, { timeout: 45_000 });

  // Nothing lost, nothing doubled, the missed messages in order, the offline one delivered.
  for (const text of [...generalSoFar, meanwhile1, meanwhile2]) await seesOnce(pablo, text);
  await seesOnce(pablo, offline);
  await expect(pendingBubbles(pablo)).toHaveCount(0);
  await seesOnce(joe, offline);
  const order = await messageLog(pablo).locator('.bubble[data-message-id] .text').allTextContents();
  expect(order.indexOf(meanwhile1)).toBeLessThan(order.indexOf(meanwhile2));
  expect(order.indexOf(before)).toBeLessThan(order.indexOf(meanwhile1));

  // The direct room shows what Joe sent there meanwhile.
  await expect(unreadBadge(pablo, direct)).toHaveText(/\d+/);
  await openRoom(pablo, direct);
  await seesOnce(pablo, meanwhileDirect);
  await openRoom(pablo, '0');

  // And the conversation goes on live through the new instance.
  const after = 'After the restart';
  await send(joe, after);
  await seesOnce(pablo, after);
  generalSoFar.push(meanwhile1, meanwhile2, offline, after);
});

test('markup is shown as text, never run', async () => {
  const markup = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
  await send(pablo, markup);
  await seesOnce(joe, markup);
  await seesOnce(pablo, markup);
  for (const page of [pablo, joe]) {
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await expect(messageLog(page).locator('script, img')).toHaveCount(0);
  }
});

test('named rooms: create one, find it by name, join, and page back through its history', async () => {
  const name = 'Rustaceans';
  await pablo.getByRole('button', { name: 'Create or join a room' }).click();
  const dialog = pablo.getByRole('dialog', { name: 'Rooms' });
  await dialog.getByLabel('Create a room').fill(name);
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(pablo.getByRole('heading', { name: `# ${name}` })).toBeVisible();
  const roomId = await chats(pablo).locator('.room-item[aria-current="true"]').getAttribute('data-room-id');
  expect(roomId).toMatch(/^\d+$/);

  // Joe finds it with the filter and joins.
  await joe.getByRole('button', { name: 'Create or join a room' }).click();
  const joeDialog = joe.getByRole('dialog', { name: 'Rooms' });
  await joeDialog.getByLabel('Join a room').fill('rust');
  await joeDialog.getByRole('button', { name: `Join ${name}` }).click();
  await expect(joeDialog).toBeHidden();
  await expect(joe.getByRole('heading', { name: `# ${name}` })).toBeVisible();

  // More than a page of history, posted through the REST API.
  const history = Array.from({ length: 60 }, (_, i) => `history ${i + 1}`);
  for (const text of history) {
    const res = await joe.request.post(`/api/rooms/${roomId}/messages`, { data: { message: text } });
    expect(res.status(), await res.text()).toBe(201);
  }
  await seesOnce(pablo, history[59]!);

  // After a reload only the newest page is there; "Load older" brings the rest, in order.
  await pablo.reload();
  await openRoom(pablo, roomId!);
  await seesOnce(pablo, history[59]!);
  await expect(confirmed(pablo, history[0]!)).toHaveCount(0);
  await pablo.getByRole('button', { name: 'Load older messages' }).click();
  await seesOnce(pablo, history[0]!);
  await expect(pablo.getByRole('button', { name: 'Load older messages' })).toHaveCount(0);
  const texts = await messageLog(pablo).locator('.bubble[data-message-id] .text').allTextContents();
  expect(texts.filter((t) => t.startsWith('history '))).toEqual(history);

  // Joe leaves; the room stays for Pablo.
  await joe.getByRole('button', { name: 'Leave' }).click();
  await expect(roomButton(joe, roomId!)).toHaveCount(0);
  await expect(joe.getByRole('heading', { name: 'General' })).toBeVisible();
  await expect(roomButton(pablo, roomId!)).toBeVisible();
  await openRoom(pablo, '0');
});

test('a new account starts direct chats from a sender name and from the online list', async ({ browser }) => {
  const { instances } = readState();
  const ctx = await browser.newContext({ baseURL: instances.B.url });
  const page = await ctx.newPage();
  try {
    const name = 'Zoe';
    await page.goto('/');
    await page.getByRole('button', { name: 'Create account' }).first().click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill('password123');
    await page.locator('form').getByRole('button', { name: 'Create account' }).click();
    await expect(chats(page)).toBeVisible();
    await seesOnce(page, 'After the restart');

    // Clicking Joe's name in General opens a direct room with him; Joe is told about it.
    await messageLog(page).getByRole('button', { name: 'Joe' }).first().click();
    await expect(page.getByRole('heading', { name: 'Joe' })).toBeVisible();
    const hiJoe = 'Hi Joe, I am new';
    await send(page, hiJoe);
    const atJoe = chats(joe).locator('.room-item', { has: joe.locator('.room-name', { hasText: name }) });
    await expect(atJoe).toContainText(hiJoe);

    // From the online list, a direct chat with Pablo (on the other instance).
    await chats(page).getByRole('button', { name: 'Chat with Pablo' }).click();
    await expect(page.getByRole('heading', { name: 'Pablo' })).toBeVisible();
    const hiPablo = 'Hi Pablo, I am new';
    await send(page, hiPablo);
    const atPablo = chats(pablo).locator('.room-item', { has: pablo.locator('.room-name', { hasText: name }) });
    await expect(atPablo).toContainText(hiPablo);
    await atPablo.click();
    await seesOnce(pablo, hiPablo);
    const welcome = 'Welcome!';
    await send(pablo, welcome);
    await seesOnce(page, welcome);
  } finally {
    await ctx.close();
  }
  await openRoom(pablo, '0');
  await send(joe, 'See you all tomorrow 👋');
  await seesOnce(pablo, 'See you all tomorrow 👋');
});

test('screens for the README: chat on a desktop and on a phone', async ({ browser }) => {
  // A conversation worth a picture, in a room of its own.
  const created = await pablo.request.post('/api/rooms', { data: { name: 'Weekend hike' } });
  expect(created.status()).toBe(201);
  const hike = ((await created.json()) as { id: string }).id;
  expect((await joe.request.post(`/api/rooms/${hike}/join`)).status()).toBe(200);
  await expect(roomButton(pablo, hike)).toBeVisible();
  await expect(roomButton(joe, hike)).toBeVisible();
  await openRoom(pablo, hike);
  await openRoom(joe, hike);
  const lines: [Page, string][] = [
    [joe, 'Anyone up for a hike on Saturday?'],
    [pablo, 'Count me in! Which trail?'],
    [joe, 'Thinking of the ridge loop, about 12 km.'],
    [joe, 'We could start at 9 and have lunch at the hut.'],
    [pablo, 'Perfect. I will bring snacks 🍫'],
  ];
  for (const [who, text] of lines) {
    await send(who, text);
    await seesOnce(pablo, text);
  }
  await pablo.mouse.move(900, 20);
  // The server passes on at most one `typing` a second per connection.
  await joe.waitForTimeout(1200);
  await joe.getByRole('textbox', { name: 'Message' }).fill('Great, see');
  await expect(pablo.getByText('Joe is typing…')).toBeVisible();
  await pablo.screenshot({ path: path.join(OUTPUT_DIR, 'chat.png') });
  // The tracked docs/screenshot-chat.png changes only on request, so that a test run leaves
  // the working tree as it was: UPDATE_SCREENSHOTS=1 npm run e2e.
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const docs = path.resolve(CLIENT_DIR, '..', 'docs');
    mkdirSync(docs, { recursive: true });
    copyFileSync(path.join(OUTPUT_DIR, 'chat.png'), path.join(docs, 'screenshot-chat.png'));
  }

  const { instances } = readState();
  const phone = await browser.newContext({ baseURL: instances.B.url, viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  try {
    await signIn(page, 'Alex');
    // The room list first; a room opens full screen with a way back.
    await expect(chats(page)).toBeVisible();
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'mobile-rooms.png') });
    await roomButton(page, '0').click();
    await expect(chats(page)).toBeHidden();
    await seesOnce(page, 'See you all tomorrow 👋');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'mobile-chat.png') });
    await page.getByRole('button', { name: 'Back to chats' }).click();
    await expect(chats(page)).toBeVisible();

    // Logging out ends the session for good: a reload shows the sign-in screen.
    await chats(page).getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in as Alex' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('button', { name: 'Sign in as Alex' })).toBeVisible();
  } finally {
    await phone.close();
  }
});
