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

const run = Date.now().toString(36);
const say = (what: string) => `${what} [${run}]`;

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

  const hello = say('Hello Joe, from A');
  await send(pablo, hello);
  await seesOnce(pablo, hello);
  await seesOnce(joe, hello);
  await expect(pendingBubbles(pablo)).toHaveCount(0);

  // Typing shows on the other instance.
  await joe.getByRole('textbox', { name: 'Message' }).fill('typing something');
  await expect(pablo.getByText('Joe is typing…')).toBeVisible();

  const reply = say('Hi Pablo, from B');
  await send(joe, reply);
  await seesOnce(pablo, reply);
  await seesOnce(joe, reply);
  generalSoFar.push(hello, reply);

  // Keyboard: Shift+Enter makes a new line, Enter sends.
  const box = pablo.getByRole('textbox', { name: 'Message' });
  await box.fill(say('two'));
  await box.press('Shift+Enter');
  await box.pressSequentially('lines');
  await box.press('Enter');
  await seesOnce(joe, `${say('two')}\nlines`);
  generalSoFar.push(`${say('two')}\nlines`);
});

test('they chat in their direct room; the unread badge counts and clears', async () => {
  direct = await directRoomId(pablo, 'Joe');
  expect(direct).toMatch(/^\d+:\d+$/);
  await openRoom(pablo, direct);
  // The demo data may have left Joe unread greetings there.
  const unreadBefore = await unreadCount(joe, direct);
  const secret = say('Direct: just between us');
  await send(pablo, secret);
  await seesOnce(pablo, secret);

  // Joe is in General: the direct room gets a badge and the preview.
  await expect(unreadBadge(joe, direct)).toHaveText(String(unreadBefore + 1));
  await expect(roomButton(joe, direct)).toContainText(secret);
  await openRoom(joe, direct);
  await seesOnce(joe, secret);
  await expect(unreadBadge(joe, direct)).toHaveCount(0);

  const answer = say('Direct: agreed');
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
    const secret2 = say('Direct: Mary must not read this');
    await send(pablo, secret2);
    await expect(unreadBadge(joe, direct)).toHaveText('1'); // Joe is in General
    await mary.waitForTimeout(1500);
    await expect(mary.locator('body')).not.toContainText('Direct:');
    await expect(roomButton(mary, direct)).toHaveCount(0);

    // And the API refuses her the history.
    const res = await mary.request.get(`/api/rooms/${encodeURIComponent(direct)}/messages`);
    expect(res.status()).toBe(403);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe('not_member');

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

test('restarting instance A loses nothing and delivers what was sent meanwhile', async () => {
  test.setTimeout(240_000);
  const before = say('Before the restart');
  await send(pablo, before);
  await seesOnce(joe, before);
  generalSoFar.push(before);

  await killInstance('A');
  await expect(pablo.getByRole('status').filter({ hasText: 'Connection lost' })).toBeVisible({ timeout: 30_000 });
  await expect(chats(pablo).getByText('Offline')).toBeVisible();

  // Pablo writes while cut off: the message is kept and marked.
  const offline = say('Written while A was down');
  await send(pablo, offline);
  await expect(pendingBubbles(pablo).filter({ hasText: offline })).toHaveCount(1);
  await pablo.screenshot({ path: path.join(OUTPUT_DIR, 'chat-offline.png') });

  // Joe keeps talking through B, in General and in the direct room.
  const meanwhile1 = say('Meanwhile on B, one');
  const meanwhile2 = say('Meanwhile on B, two');
  await send(joe, meanwhile1);
  await send(joe, meanwhile2);
  await seesOnce(joe, meanwhile2);
  await openRoom(joe, direct);
  const meanwhileDirect = say('Direct: sent while A was down');
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
  const after = say('After the restart');
  await send(joe, after);
  await seesOnce(pablo, after);
  generalSoFar.push(meanwhile1, meanwhile2, offline, after);
});

test('markup is shown as text, never run', async () => {
  const markup = `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> [${run}]`;
  await send(pablo, markup);
  await seesOnce(joe, markup);
  await seesOnce(pablo, markup);
  for (const page of [pablo, joe]) {
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await expect(messageLog(page).locator('script, img')).toHaveCount(0);
  }
});

test('screens for the README: chat on a desktop and on a phone', async ({ browser }) => {
  await expect(confirmed(pablo, say('After the restart'))).toHaveCount(1);
  await pablo.screenshot({ path: path.join(OUTPUT_DIR, 'chat.png') });
  const docs = path.resolve(CLIENT_DIR, '..', 'docs');
  mkdirSync(docs, { recursive: true });
  copyFileSync(path.join(OUTPUT_DIR, 'chat.png'), path.join(docs, 'screenshot-chat.png'));

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
    await seesOnce(page, say('After the restart'));
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'mobile-chat.png') });
    await page.getByRole('button', { name: 'Back to chats' }).click();
    await expect(chats(page)).toBeVisible();
  } finally {
    await phone.close();
  }
});
