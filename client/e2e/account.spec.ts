// Issue 21 in the browser: the account dialog. A new user is signed in twice, in context A
// (instance A) and context B (instance B): a password changed in A ends B's session; "sign
// out everywhere" ends both; deleting the account ends it for good. Every step is checked
// as the user sees it. The user is new and deleted at the end, so the other specs' users
// and rooms are untouched.

import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { chats, signInHeading, submitSignIn } from './helpers';
import { readState } from './servers';

const name = `Acct${String(Date.now()).slice(-8)}`;
const firstPassword = 'first-password-1';
const secondPassword = 'second-password-2';
const SESSION_ENDED = 'Your session has ended. Please sign in again.';

function accountButton(page: Page): Locator {
  return page.getByRole('banner').getByRole('button', { name: 'Account', exact: true });
}

async function openAccount(page: Page): Promise<Locator> {
  await accountButton(page).click();
  const dialog = page.getByRole('dialog', { name: 'Account' });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function register(page: Page, user: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Create account' }).first().click();
  await page.getByLabel('Name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.locator('form').getByRole('button', { name: 'Create account' }).click();
  await expect(chats(page)).toBeVisible();
}

/**
 * The sign-in form refused the name and password: the error is shown at the password field
 * (set only once the server has answered), and no chat.
 */
async function refused(page: Page): Promise<void> {
  const password = page.getByLabel('Password');
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAccessibleDescription(/\S/);
  await expect(signInHeading(page)).toBeVisible();
  await expect(chats(page)).toHaveCount(0);
}

let ctxA: BrowserContext;
let ctxB: BrowserContext;

test.afterEach(async () => {
  await ctxA?.close();
  await ctxB?.close();
});

test('account settings: a new password signs out the other session, then sign out everywhere, then delete the account', async ({ browser }) => {
  const { instances } = readState();
  ctxA = await browser.newContext({ baseURL: instances.A.url, viewport: { width: 1280, height: 800 } });
  ctxB = await browser.newContext({ baseURL: instances.B.url, viewport: { width: 1280, height: 800 } });
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();

  await register(a, name, firstPassword);
  await b.goto('/');
  await submitSignIn(b, name, firstPassword);
  await expect(chats(b)).toBeVisible();

  // The dialog opens from the top bar with the focus in its first field; Escape closes it
  // and the focus goes back to the button.
  let dialog = await openAccount(a);
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await expect(dialog).toContainText(`Signed in as ${name}`);
  await expect(dialog.getByLabel('Current password')).toBeFocused();
  await a.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(accountButton(a)).toBeFocused();

  // ---- change the password ----
  dialog = await openAccount(a);
  const change = dialog.getByRole('region', { name: 'Change password' });
  const current = change.getByLabel('Current password');
  const next = change.getByLabel('New password', { exact: true });
  const confirm = change.getByLabel('Confirm new password');
  const submit = change.getByRole('button', { name: 'Change password', exact: true });

  // The confirmation must match (checked before asking the server).
  await current.fill(firstPassword);
  await next.fill(secondPassword);
  await confirm.fill(`${secondPassword}x`);
  await submit.click();
  await expect(change.getByText('The two new passwords do not match.')).toBeVisible();
  await expect(confirm).toHaveAttribute('aria-invalid', 'true');
  await expect(confirm).toBeFocused();

  // A wrong current password: the server refuses, shown next to that field; B stays in.
  await current.fill('not-my-password');
  await confirm.fill(secondPassword);
  await submit.click();
  await expect(change.getByText('That is not your current password.')).toBeVisible();
  await expect(current).toHaveAttribute('aria-invalid', 'true');
  await expect(chats(b)).toBeVisible();

  // The right one: success in the dialog, and B is back at the sign-in screen.
  await current.fill(firstPassword);
  await submit.click();
  await expect(change.getByRole('status')).toHaveText('Password changed. Your other devices have been signed out.');
  await expect(current).toHaveValue('');
  await expect(signInHeading(b)).toBeVisible();
  await expect(b.getByText(SESSION_ENDED)).toBeVisible();

  // A's session goes on, after a reload too.
  await a.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await a.reload();
  await expect(chats(a)).toBeVisible();

  // The old password no longer signs in; the new one does.
  await submitSignIn(b, name, firstPassword);
  await refused(b);
  await submitSignIn(b, name, secondPassword);
  await expect(chats(b)).toBeVisible();

  // ---- sign out everywhere ----
  dialog = await openAccount(a);
  const everywhere = dialog.getByRole('region', { name: 'Sign out everywhere' });
  const ask = everywhere.getByRole('group', { name: 'Sign out on every device?' });
  // Cancelling the confirmation changes nothing.
  await everywhere.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
  await expect(ask.getByRole('button', { name: 'Yes, sign out everywhere' })).toBeFocused();
  await ask.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(ask).toHaveCount(0);
  await expect(everywhere.getByRole('button', { name: 'Sign out everywhere', exact: true })).toBeFocused();

  await everywhere.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
  await ask.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
  await expect(signInHeading(a)).toBeVisible();
  await expect(a.getByRole('status')).toHaveText('You are signed out on every device.');
  await expect(signInHeading(b)).toBeVisible();
  await expect(b.getByText(SESSION_ENDED)).toBeVisible();
  // For good: a reload still shows the sign-in screen.
  await a.reload();
  await expect(signInHeading(a)).toBeVisible();
  await b.reload();
  await expect(signInHeading(b)).toBeVisible();

  // ---- delete the account ----
  await submitSignIn(a, name, secondPassword);
  await expect(chats(a)).toBeVisible();
  dialog = await openAccount(a);
  const deletion = dialog.getByRole('region', { name: 'Delete account' });
  await expect(deletion).toContainText('“Deleted user”');
  const password = deletion.getByLabel('Password', { exact: true });
  const deleteButton = deletion.getByRole('button', { name: 'Delete my account', exact: true });
  const sure = deletion.getByRole('group', { name: 'Delete your account for good?' });

  // The password is required before anything is asked.
  await deleteButton.click();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(deletion.getByText('Enter your password to confirm.')).toBeVisible();
  await expect(sure).toHaveCount(0);

  // A wrong password: refused next to the field, and the account is still there.
  await password.fill('not-my-password');
  await deleteButton.click();
  await sure.getByRole('button', { name: 'Yes, delete my account' }).click();
  await expect(deletion.getByText('That is not your password.')).toBeVisible();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(chats(a)).toBeVisible();

  await password.fill(secondPassword);
  await deleteButton.click();
  await sure.getByRole('button', { name: 'Yes, delete my account' }).click();
  await expect(signInHeading(a)).toBeVisible();
  await expect(a.getByRole('status')).toHaveText('Your account has been deleted.');

  // The name signs in no more.
  await submitSignIn(a, name, secondPassword);
  await refused(a);
});
