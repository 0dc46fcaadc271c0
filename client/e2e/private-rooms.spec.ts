// Private rooms, invitations and reports in the browser, on both instances, with three new
// users: the owner (instance A), a second user (instance B) who joins with an invite link
// and is made moderator, and a third user (instance A) invited by name. The owner creates a
// private room, which nobody else can find; the second user opens the link and lands in it;
// the third accepts the invitation from their list and posts; the owner reports the message;
// the moderator sees the report live, deletes the message, resolves the report and bans the
// third user, who is told, loses the room and finds the link refused. Every step is checked
// as the users see it. The users and the room are new, so the other specs are untouched.

import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { chats, messageLog, roomButton, send, submitSignIn } from './helpers';
import { readState } from './servers';

const stamp = String(Date.now()).slice(-7);
const owner = `Prv${stamp}`;
const second = `Lnk${stamp}`;
const third = `Inv${stamp}`;
const password = 'private-rooms-pass-1';
const roomName = `Hideout ${stamp}`;

const contexts: BrowserContext[] = [];

test.afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.close();
});

/** A new account, registered through the API and signed in through the sign-in form. */
async function newUser(page: Page, name: string): Promise<void> {
  const res = await page.request.post('/api/auth/register', { data: { username: name, password } });
  expect(res.status(), await res.text()).toBe(201);
  await page.goto('/');
  await submitSignIn(page, name, password);
  await expect(chats(page)).toBeVisible();
  await expect(page.locator('main[data-connection="online"]')).toBeVisible();
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** The confirmed message whose own text is exactly `text`. */
function bubble(page: Page, text: string): Locator {
  return messageLog(page)
    .locator('.bubble[data-message-id]')
    .filter({ has: page.locator('.text', { hasText: exactly(text) }) });
}

function bubbleById(page: Page, id: string): Locator {
  return messageLog(page).locator(`.bubble[data-message-id="${id}"]`);
}

function toolbar(message: Locator): Locator {
  return message.getByRole('toolbar', { name: 'Message actions' });
}

function settingsButton(page: Page): Locator {
  return page.locator('.conv-head').getByRole('button', { name: /^Members/ });
}

async function openSettings(page: Page): Promise<Locator> {
  await settingsButton(page).click();
  const dialog = page.getByRole('dialog', { name: 'Room settings' });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function closeSettings(page: Page, dialog: Locator): Promise<void> {
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
}

function memberRow(dialog: Locator, name: string): Locator {
  return dialog.getByRole('list', { name: 'Members' }).getByRole('listitem').filter({ hasText: name });
}

/** The toast at the bottom of the page with this text. */
function toast(page: Page, text: string): Locator {
  return page.locator('.toast').filter({ hasText: text });
}

test('private rooms: invite link and invitation, a report handled live by a moderator, a ban that closes the link', async ({ browser }) => {
  const { instances } = readState();
  const open = async (url: string) => {
    const ctx = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 900 } });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const a = await open(instances.A.url);
  const b = await open(instances.B.url);
  const c = await open(instances.A.url);
  await newUser(a, owner);
  await newUser(b, second);
  await newUser(c, third);

  // ---- the owner creates a private room ----
  await a.getByRole('button', { name: 'Create or join a room' }).click();
  const create = a.getByRole('dialog', { name: 'Rooms' });
  await create.getByLabel('Create a room').fill(roomName);
  await create.getByRole('checkbox', { name: 'Private room' }).check();
  await expect(create.getByText('Not listed: people join only when you invite them.')).toBeVisible();
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(create).toBeHidden();
  await expect(a.getByRole('heading', { name: `# ${roomName}` })).toBeVisible();
  await expect(a.locator('.conv-head')).toContainText('Private');
  await expect(a.locator('.conv-head')).toContainText('Your role: Owner');
  const roomId = await chats(a).locator('.room-item[aria-current="true"]').getAttribute('data-room-id');
  expect(roomId).toMatch(/^\d+$/);
  // The room list marks it private.
  await expect(roomButton(a, roomId!)).toHaveAccessibleName(new RegExp(`${roomName}.*, private`));

  // ---- nobody else finds it ----
  await b.getByRole('button', { name: 'Create or join a room' }).click();
  const discover = b.getByRole('dialog', { name: 'Rooms' });
  await discover.getByLabel('Join a room').fill(roomName);
  await expect(discover.getByText('No room matches.')).toBeVisible();
  await expect(discover.getByRole('button', { name: `Join ${roomName}` })).toHaveCount(0);
  await b.keyboard.press('Escape');
  await expect(discover).toHaveCount(0);

  // ---- the owner makes an invite link in the panel ----
  let panel = await openSettings(a);
  await expect(panel.getByRole('tab')).toHaveText(['Members', 'Invite', 'Reports', 'Bans', 'Audit log']);
  await expect(panel.getByRole('radio', { name: /Private/ })).toBeChecked();
  await panel.getByRole('tab', { name: 'Invite' }).click();
  const linkForm = panel.getByRole('form', { name: 'Create an invite link' });
  await expect(linkForm.getByLabel('Expires after').locator('option')).toHaveText(['1 hour', '1 day', '7 days']);
  await linkForm.getByLabel('Expires after').selectOption({ label: '1 day' });
  await linkForm.getByLabel('Max uses').fill('5');
  await linkForm.getByRole('button', { name: 'Create link' }).click();
  const urlBox = linkForm.getByLabel('New invite link');
  await expect(urlBox).toHaveValue(new RegExp(`^${instances.A.url}/\\?invite=\\S+$`));
  await expect(linkForm.getByText('Copy it now: this link is shown only once.')).toBeVisible();
  await expect(linkForm.getByRole('button', { name: 'Copy' })).toBeVisible();
  const url = new URL(await urlBox.inputValue());
  const links = panel.getByRole('list', { name: 'Invite links' });
  await expect(links.getByRole('listitem')).toHaveCount(1);
  await expect(links.getByRole('listitem')).toContainText('0 uses of 5');
  await expect(links.getByRole('listitem')).toContainText(`Made by ${owner}`);

  // ---- the second user opens the link (on their own instance) and lands in the room ----
  await b.goto(`${url.pathname}${url.search}`);
  await expect(b.getByRole('heading', { name: `# ${roomName}` })).toBeVisible();
  await expect(b.locator('.conv-head')).toContainText('Private');
  expect(new URL(b.url()).searchParams.has('invite')).toBe(false);
  await panel.getByRole('tab', { name: 'Members' }).click();
  await expect(memberRow(panel, second)).toBeVisible();

  // ---- the owner makes them moderator ----
  await panel.getByLabel(`Role of ${second}`).selectOption('moderator');
  await expect(panel.getByLabel(`Role of ${second}`)).toHaveValue('moderator');
  await expect(b.locator('.conv-head')).toContainText('Your role: Moderator');

  // ---- public and back: every member's screen follows ----
  await panel.getByRole('radio', { name: /Public/ }).check();
  await expect(b.locator('.conv-head')).not.toContainText('Private');
  await expect(roomButton(b, roomId!)).not.toHaveAccessibleName(/, private/);
  await panel.getByRole('radio', { name: /Private/ }).check();
  await expect(b.locator('.conv-head')).toContainText('Private');
  await expect(roomButton(b, roomId!)).toHaveAccessibleName(/, private/);

  // ---- the owner invites the third user by name ----
  await panel.getByRole('tab', { name: 'Invite' }).click();
  const inviteForm = panel.getByRole('form', { name: 'Invite someone' });
  await inviteForm.getByLabel('Username').fill(`Nobody${stamp}`);
  await inviteForm.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(inviteForm.getByRole('alert')).toHaveText(`There is no user called Nobody${stamp}.`);
  await inviteForm.getByLabel('Username').fill(second);
  await inviteForm.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(inviteForm.getByRole('alert')).toHaveText(`${second} is already in this room.`);
  await inviteForm.getByLabel('Username').fill(third.toLowerCase());
  await inviteForm.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(inviteForm.getByRole('status')).toHaveText(`${third} is invited: they can accept from their invitations.`);
  const pending = panel.getByRole('list', { name: 'Pending invitations' });
  await expect(pending.getByRole('listitem').filter({ hasText: third })).toContainText(`Invited by ${owner}`);
  await expect(pending.getByRole('button', { name: `Revoke the invitation of ${third}` })).toBeVisible();
  await closeSettings(a, panel);

  // The third user sees it live and accepts it: the room opens.
  const invitations = chats(c).getByRole('list', { name: 'Invitations' });
  await expect(chats(c).getByRole('heading', { name: 'Invitations (1)' })).toBeVisible();
  const invitation = invitations.getByRole('listitem', { name: `Invitation to ${roomName}` });
  await expect(invitation).toContainText(`Invited by ${owner}`);
  await invitation.getByRole('button', { name: `Accept the invitation to ${roomName}` }).click();
  await expect(c.getByRole('heading', { name: `# ${roomName}` })).toBeVisible();
  await expect(roomButton(c, roomId!)).toHaveAttribute('aria-current', 'true');
  await expect(chats(c).getByRole('heading', { name: /^Invitations/ })).toHaveCount(0);

  // ---- the third user posts; the owner reports it ----
  const spam = `Buy cheap watches ${stamp}`;
  await send(c, spam);
  for (const page of [a, b, c]) await expect(bubble(page, spam)).toHaveCount(1);
  const spamId = await bubble(a, spam).getAttribute('data-message-id');
  expect(spamId).toBeTruthy();
  // One's own message has no Report.
  await bubble(c, spam).hover();
  await expect(toolbar(bubble(c, spam)).getByRole('button', { name: 'Reply', exact: true })).toBeVisible();
  await expect(toolbar(bubble(c, spam)).getByRole('button', { name: 'Report', exact: true })).toHaveCount(0);

  await bubble(a, spam).hover();
  await toolbar(bubble(a, spam)).getByRole('button', { name: 'Report', exact: true }).click();
  const reportForm = bubbleById(a, spamId!).getByRole('form', { name: 'Report this message' });
  await expect(reportForm.getByLabel('Reason')).toBeFocused();
  // A reason is required.
  await reportForm.getByRole('button', { name: 'Send report' }).click();
  await expect(reportForm.getByRole('alert')).toHaveText('Say why you report it.');
  await reportForm.getByLabel('Reason').fill('spam, selling watches');
  await reportForm.getByRole('button', { name: 'Send report' }).click();
  await expect(reportForm).toHaveCount(0);
  await expect(toast(a, "Reported to the room's moderators.")).toBeVisible();

  // ---- the moderator sees it live, deletes the message and resolves the report ----
  await expect(settingsButton(b)).toHaveAccessibleName(/^Members, 1 open report$/);
  panel = await openSettings(b);
  // A moderator: no audit log; the reports tab tells how many are open.
  await expect(panel.getByRole('tab')).toHaveCount(4);
  await expect(panel.getByRole('tab', { name: /^Reports/ })).toHaveAccessibleName(/^Reports, 1 open$/);
  await panel.getByRole('tab', { name: /^Reports/ }).click();
  const openList = panel.getByRole('list', { name: 'Open reports' });
  const report = openList.getByRole('listitem', { name: `Report by ${owner} of a message by ${third}` });
  await expect(report).toContainText(spam);
  await expect(report).toContainText('Reason: spam, selling watches');
  await report.getByRole('button', { name: 'Delete message' }).click();
  await report.getByRole('group', { name: 'Delete this message for everyone?' }).getByRole('button', { name: 'Yes, delete' }).click();
  await expect(report).toContainText('The message was deleted.');
  for (const page of [a, b, c]) {
    await expect(bubbleById(page, spamId!).locator('.tombstone')).toHaveText('Removed by a moderator');
    await expect(messageLog(page).getByText(spam)).toHaveCount(0);
  }
  await report.getByRole('button', { name: 'Resolve' }).click();
  await expect(openList.getByRole('listitem')).toHaveCount(0);
  await expect(panel.getByText('No open reports.')).toBeVisible();
  await expect(settingsButton(b)).toHaveAccessibleName(/^Members$/);
  await panel.getByRole('button', { name: 'Closed', exact: true }).click();
  const closed = panel.getByRole('list', { name: 'Closed reports' });
  await expect(closed.getByRole('listitem')).toHaveCount(1);
  await expect(closed.getByRole('listitem')).toContainText(`Resolved by ${second}`);

  // The reporter hears that it was reviewed, never by whom.
  await expect(toast(a, 'Your report was reviewed.')).toBeVisible();
  await expect(a.locator('.toast')).not.toContainText(second);
  await expect(settingsButton(a)).toHaveAccessibleName(/^Members$/);

  // ---- the moderator bans the third user by name ----
  await panel.getByRole('tab', { name: 'Bans' }).click();
  const banForm = panel.getByRole('form', { name: 'Ban by name' });
  await banForm.getByLabel('Name').fill(third);
  await banForm.getByLabel('Reason').fill('spam');
  await banForm.getByLabel('Duration').selectOption({ label: '1 day' });
  await banForm.getByRole('button', { name: 'Ban', exact: true }).click();
  await expect(banForm.getByRole('status')).toHaveText(`${third} is banned.`);
  await expect(panel.getByRole('list', { name: 'Bans' }).getByRole('listitem').filter({ hasText: third })).toContainText('Reason: spam');

  // The banned user's page tells them, and the room is gone from their list.
  await expect(c.getByText(`You were banned from # ${roomName}. Reason: spam`)).toBeVisible();
  await expect(roomButton(c, roomId!)).toHaveCount(0);
  await expect(c.getByRole('heading', { name: 'General' })).toBeVisible();

  // The invite link no longer lets them in.
  await c.goto(`${url.pathname}${url.search}`);
  await expect(toast(c, 'You are banned from this room.')).toBeVisible();
  await expect(c.locator('main[data-connection="online"]')).toBeVisible();
  await expect(roomButton(c, roomId!)).toHaveCount(0);
  expect(new URL(c.url()).searchParams.has('invite')).toBe(false);
});

test('invite links: opened signed out, the room opens after signing in; a used-up link says so', async ({ browser }) => {
  const { instances } = readState();
  const open = async (url: string) => {
    const ctx = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 900 } });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const maker = `Mkr${stamp}`;
  const guest = `Gst${stamp}`;
  const late = `Lat${stamp}`;
  const linkRoom = `One use ${stamp}`;

  // The owner makes a private room and a link for one use, through the API.
  const ownerPage = await open(instances.A.url);
  for (const name of [maker, guest, late]) {
    const res = await ownerPage.request.post('/api/auth/register', { data: { username: name, password } });
    expect(res.status(), await res.text()).toBe(201);
  }
  expect((await ownerPage.request.post('/api/auth/login', { data: { username: maker, password } })).status()).toBe(200);
  const made = await ownerPage.request.post('/api/rooms', { data: { name: linkRoom, visibility: 'private' } });
  expect(made.status(), await made.text()).toBe(201);
  const room = (await made.json()) as { id: string; visibility: string };
  expect(room.visibility).toBe('private');
  const linkRes = await ownerPage.request.post(`/api/rooms/${room.id}/invite-links`, { data: { expiresInSecs: 3600, maxUses: 1 } });
  expect(linkRes.status(), await linkRes.text()).toBe(201);
  const { url } = (await linkRes.json()) as { url: string };
  expect(url).toMatch(/^\/\?invite=/);

  // Signed out, on instance B: the sign-in screen says why, and the room opens once signed in.
  const g = await open(instances.B.url);
  await g.goto(url);
  await expect(g.getByText('Sign in or create an account to join the room you were invited to.')).toBeVisible();
  await submitSignIn(g, guest, password);
  await expect(g.getByRole('heading', { name: `# ${linkRoom}` })).toBeVisible();
  await expect(roomButton(g, room.id)).toHaveAttribute('aria-current', 'true');
  expect(new URL(g.url()).search).toBe('');

  // The link was for one use: the next one is told it no longer works.
  const l = await open(instances.A.url);
  await l.goto('/');
  await submitSignIn(l, late, password);
  await expect(l.locator('main[data-connection="online"]')).toBeVisible();
  await l.goto(url);
  await expect(toast(l, 'This invite link no longer works: it has ended, was used up or was revoked.')).toBeVisible();
  await expect(roomButton(l, room.id)).toHaveCount(0);
  expect(new URL(l.url()).search).toBe('');
});
