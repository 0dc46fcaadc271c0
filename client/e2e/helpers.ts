// What a user does, in the words of the tests.

import { expect, type Locator, type Page } from '@playwright/test';

export async function signIn(page: Page, name: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await expect(page.getByRole('navigation', { name: 'Chats' }).or(page.getByRole('button', { name: 'Back to chats' })).first()).toBeVisible();
  // Its socket is registered: from now on it hears every live event.
  await expect(page.locator('main[data-connection="online"]')).toBeVisible();
}

export function chats(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Chats' });
}

export function messageLog(page: Page): Locator {
  return page.getByRole('log');
}

export function roomButton(page: Page, roomId: string): Locator {
  return page.locator(`.room-item[data-room-id="${roomId}"]`);
}

export async function openRoom(page: Page, roomId: string): Promise<void> {
  await roomButton(page, roomId).click();
  await expect(roomButton(page, roomId)).toHaveAttribute('aria-current', 'true');
}

/** Id of the direct room with `peer`, as listed in the room list. */
export async function directRoomId(page: Page, peer: string): Promise<string> {
  const item = chats(page).locator('.room-item', { has: page.locator('.room-name', { hasText: new RegExp(`^${peer}$`) }) });
  await expect(item).toHaveCount(1);
  const id = await item.getAttribute('data-room-id');
  if (!id) throw new Error(`no direct room with ${peer}`);
  return id;
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

/** Messages confirmed by the server (not pending) with exactly this text. */
export function confirmed(page: Page, text: string): Locator {
  return messageLog(page).locator('.bubble[data-message-id]').getByText(text, { exact: true });
}

/** Waits until `text` is on screen exactly once, confirmed. */
export async function seesOnce(page: Page, text: string): Promise<void> {
  await expect(confirmed(page, text)).toHaveCount(1);
}

export function pendingBubbles(page: Page): Locator {
  return messageLog(page).locator('.bubble.pending');
}

export function unreadBadge(page: Page, roomId: string): Locator {
  return roomButton(page, roomId).locator('.badge');
}

/** The number on a room's unread badge, 0 without one. */
export async function unreadCount(page: Page, roomId: string): Promise<number> {
  await expect(roomButton(page, roomId)).toBeVisible();
  const badge = unreadBadge(page, roomId);
  return (await badge.count()) ? Number(await badge.textContent()) : 0;
}

/** The sign-in screen's heading. */
export function signInHeading(page: Page): Locator {
  return page.getByRole('heading', { name: 'Welcome back!' });
}

/** Fills the sign-in form and submits it (the page must show the sign-in screen). */
export async function submitSignIn(page: Page, name: string, password: string): Promise<void> {
  await expect(signInHeading(page)).toBeVisible();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.locator('form').getByRole('button', { name: 'Sign in' }).click();
}
