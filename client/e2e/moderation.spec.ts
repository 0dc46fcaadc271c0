// Roles and moderation in the browser, with three new users: the owner (instance A), a
// member made moderator (instance B) and a third user (instance A). The owner creates a room
// and gives roles from its settings panel; the moderator deletes the third user's message and
// removes them; the owner bans them; the banned user is told, loses the room and cannot join
// again until the ban is lifted. Every step is checked as the users see it. The users and the
// room are new, so the other specs' users and rooms are untouched.

import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { chats, messageLog, openRoom, roomButton, send, submitSignIn } from './helpers';
import { readState } from './servers';

const stamp = String(Date.now()).slice(-7);
const owner = `Own${stamp}`;
const mod = `Mod${stamp}`;
const third = `Trd${stamp}`;
const password = 'moderation-pass-1';
const roomName = `Mods ${stamp}`;

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

async function openSettings(page: Page): Promise<Locator> {
  await page.locator('.conv-head').getByRole('button', { name: 'Members', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Room settings' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** A member's row in the settings panel's members list. */
function memberRow(dialog: Locator, name: string): Locator {
  return dialog.getByRole('list', { name: 'Members' }).getByRole('listitem').filter({ hasText: name });
}

async function joinThroughDialog(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Create or join a room' }).click();
  const dialog = page.getByRole('dialog', { name: 'Rooms' });
  await dialog.getByLabel('Join a room').fill(roomName);
  await dialog.getByRole('button', { name: `Join ${roomName}` }).click();
  return dialog;
}

test('roles and moderation: a moderator deletes and removes, the owner bans, the banned user is told and kept out', async ({ browser }) => {
  const { instances } = readState();
  const open = async (url: string) => {
    const ctx = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const a = await open(instances.A.url);
  const b = await open(instances.B.url);
  const c = await open(instances.A.url);
  await newUser(a, owner);
  await newUser(b, mod);
  await newUser(c, third);

  // ---- the owner creates a room; the others join it ----
  await a.getByRole('button', { name: 'Create or join a room' }).click();
  const create = a.getByRole('dialog', { name: 'Rooms' });
  await create.getByLabel('Create a room').fill(roomName);
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(create).toBeHidden();
  await expect(a.getByRole('heading', { name: `# ${roomName}` })).toBeVisible();
  await expect(a.locator('.conv-head')).toContainText('Your role: Owner');
  const roomId = await chats(a).locator('.room-item[aria-current="true"]').getAttribute('data-room-id');
  expect(roomId).toMatch(/^\d+$/);

  for (const page of [b, c]) {
    await expect(await joinThroughDialog(page)).toBeHidden();
    await expect(page.getByRole('heading', { name: `# ${roomName}` })).toBeVisible();
  }
  await expect(b.locator('.conv-head')).not.toContainText('Your role');

  const spam = `Cheap watches here ${stamp}`;
  await send(c, spam);
  for (const page of [a, b, c]) await expect(bubble(page, spam)).toHaveCount(1);
  const spamId = await bubble(b, spam).getAttribute('data-message-id');
  expect(spamId).toBeTruthy();

  // A member may not delete someone else's message.
  await bubble(b, spam).hover();
  await expect(toolbar(bubble(b, spam)).getByRole('button', { name: 'Reply', exact: true })).toBeVisible();
  await expect(toolbar(bubble(b, spam)).getByRole('button', { name: 'Delete', exact: true })).toHaveCount(0);

  // ---- the owner opens the settings panel and makes B a moderator ----
  let panel = await openSettings(a);
  await expect(panel).toHaveAttribute('aria-modal', 'true');
  await expect(panel.getByRole('tab', { name: 'Members' })).toBeFocused();
  await expect(panel.getByRole('tab')).toHaveText(['Members', 'Invite', 'Reports', 'Bans', 'Audit log']);
  await expect(memberRow(panel, owner)).toContainText('(you)');
  await expect(memberRow(panel, mod)).toBeVisible();
  await expect(memberRow(panel, third)).toBeVisible();
  const modRole = panel.getByLabel(`Role of ${mod}`);
  await expect(modRole).toHaveValue('member');
  // An owner may give every role, owner included.
  await expect(modRole.locator('option')).toHaveText(['Owner', 'Admin', 'Moderator', 'Member']);
  await modRole.selectOption('moderator');
  await expect(modRole).toHaveValue('moderator');
  await expect(modRole).toBeEnabled();
  // Escape closes the panel; the focus goes back to its button.
  await a.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(a.locator('.conv-head').getByRole('button', { name: 'Members', exact: true })).toBeFocused();

  // B is told at once: the role shows, and Delete is now offered on the third user's message.
  await expect(b.locator('.conv-head')).toContainText('Your role: Moderator');
  await bubble(b, spam).hover();
  await toolbar(bubble(b, spam)).getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = bubbleById(b, spamId!).getByRole('group', { name: 'Delete this message?' });
  await confirm.getByRole('button', { name: 'Yes, delete', exact: true }).click();

  // Everyone sees the moderator's removal, live and after a reload.
  for (const page of [a, b, c]) {
    await expect(bubbleById(page, spamId!).locator('.tombstone')).toHaveText('Removed by a moderator');
    await expect(messageLog(page).getByText(spam)).toHaveCount(0);
  }
  await c.reload();
  await openRoom(c, roomId!);
  await expect(bubbleById(c, spamId!).locator('.tombstone')).toHaveText('Removed by a moderator');

  // ---- the moderator removes the third user, who is told and loses the room ----
  panel = await openSettings(b);
  // A moderator sees the reports and the bans but not the audit log, and gives no roles.
  await expect(panel.getByRole('tab')).toHaveText(['Members', 'Invite', 'Reports', 'Bans']);
  await expect(panel.getByLabel(`Role of ${third}`)).toHaveCount(0);
  await expect(memberRow(panel, owner).getByRole('button', { name: `Remove ${owner}` })).toHaveCount(0);
  await memberRow(panel, third).getByRole('button', { name: `Remove ${third}` }).click();
  const sure = memberRow(panel, third).getByRole('group', { name: `Remove ${third} from the room?` });
  await sure.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(memberRow(panel, third)).toHaveCount(0);

  await expect(c.getByText(`You were removed from # ${roomName} by a moderator.`)).toBeVisible();
  await expect(roomButton(c, roomId!)).toHaveCount(0);
  await expect(c.getByRole('heading', { name: 'General' })).toBeVisible();
  await b.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);

  // A removal is not a ban: they may join again.
  await expect(await joinThroughDialog(c)).toBeHidden();
  await expect(c.getByRole('heading', { name: `# ${roomName}` })).toBeVisible();

  // ---- the owner bans them for a day ----
  panel = await openSettings(a);
  await expect(memberRow(panel, third)).toBeVisible();
  await expect(panel.getByLabel(`Role of ${mod}`)).toHaveValue('moderator');
  await memberRow(panel, third).getByRole('button', { name: `Ban ${third}` }).click();
  const banForm = panel.getByRole('form', { name: `Ban ${third}` });
  await expect(banForm.getByLabel('Reason')).toBeFocused();
  await banForm.getByLabel('Reason').fill('spam');
  await banForm.getByLabel('Duration').selectOption({ label: '1 day' });
  await banForm.getByRole('button', { name: `Ban ${third}` }).click();
  await expect(memberRow(panel, third)).toHaveCount(0);

  // The banned user's open page tells them, and the room is gone from their list.
  await expect(c.getByText(`You were banned from # ${roomName}. Reason: spam`)).toBeVisible();
  await expect(roomButton(c, roomId!)).toHaveCount(0);
  await expect(c.getByRole('heading', { name: 'General' })).toBeVisible();

  // They cannot join again.
  const refused = await joinThroughDialog(c);
  await expect(refused.getByRole('alert')).toHaveText('You are banned from this room.');
  await expect(refused).toBeVisible();
  await c.keyboard.press('Escape');
  await expect(refused).toHaveCount(0);

  // The bans tab lists the ban; the audit log tells who did what.
  await panel.getByRole('tab', { name: 'Bans' }).click();
  const bans = panel.getByRole('list', { name: 'Bans' });
  const banned = bans.getByRole('listitem').filter({ hasText: third });
  await expect(banned).toContainText(`Banned by ${owner}`);
  await expect(banned).toContainText('Reason: spam');
  await expect(banned).not.toContainText('until lifted');

  await panel.getByRole('tab', { name: 'Audit log' }).click();
  const audit = panel.getByRole('list', { name: 'Audit log' });
  await expect(audit).toContainText(`${owner} made ${mod} moderator`);
  await expect(audit).toContainText(`${mod} removed ${third}`);
  await expect(audit).toContainText(`${owner} banned ${third}: spam`);

  // The last owner cannot leave: the panel says why, and the room stays.
  await panel.getByRole('button', { name: 'Leave room' }).click();
  await panel.getByRole('group', { name: `Leave # ${roomName}?` }).getByRole('button', { name: 'Yes, leave' }).click();
  await expect(panel.getByRole('alert')).toHaveText('You are the last owner of this room: make another member owner before you leave.');
  await expect(roomButton(a, roomId!)).toBeVisible();

  // Lifting the ban lets them in again.
  await panel.getByRole('tab', { name: 'Bans' }).click();
  await bans.getByRole('button', { name: `Lift the ban on ${third}` }).click();
  await expect(panel.getByText('Nobody is banned.')).toBeVisible();
  await a.keyboard.press('Escape');
  await expect(await joinThroughDialog(c)).toBeHidden();
  await expect(c.getByRole('heading', { name: `# ${roomName}` })).toBeVisible();
});

test('mutes: the owner makes a member read-only from the panel; their composer waits, live, until unmuted', async ({ browser }) => {
  const { instances } = readState();
  const open = async (url: string) => {
    const ctx = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const muteOwner = `MOw${stamp}`;
  const muted = `MMb${stamp}`;
  const muteRoom = `Quiet ${stamp}`;
  const a = await open(instances.A.url);
  const b = await open(instances.B.url);
  await newUser(a, muteOwner);
  await newUser(b, muted);

  await a.getByRole('button', { name: 'Create or join a room' }).click();
  const create = a.getByRole('dialog', { name: 'Rooms' });
  await create.getByLabel('Create a room').fill(muteRoom);
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(create).toBeHidden();
  await expect(a.getByRole('heading', { name: `# ${muteRoom}` })).toBeVisible();

  await b.getByRole('button', { name: 'Create or join a room' }).click();
  const join = b.getByRole('dialog', { name: 'Rooms' });
  await join.getByLabel('Join a room').fill(muteRoom);
  await join.getByRole('button', { name: `Join ${muteRoom}` }).click();
  await expect(join).toBeHidden();
  await expect(b.getByRole('heading', { name: `# ${muteRoom}` })).toBeVisible();
  const box = b.getByRole('textbox', { name: 'Message' });
  await expect(box).toBeEnabled();

  // ---- the owner mutes them for 10 minutes ----
  const panel = await openSettings(a);
  // Nobody mutes themselves.
  await expect(memberRow(panel, muteOwner).getByRole('button', { name: `Mute ${muteOwner}` })).toHaveCount(0);
  await memberRow(panel, muted).getByRole('button', { name: `Mute ${muted}` }).click();
  const form = panel.getByRole('form', { name: `Mute ${muted}` });
  const duration = form.getByLabel('Read-only for');
  await expect(duration).toBeFocused();
  await expect(duration.locator('option')).toHaveText(['10 minutes', '1 hour', '1 day', '1 week']);
  await duration.selectOption({ label: '10 minutes' });
  await form.getByRole('button', { name: `Mute ${muted}` }).click();
  await expect(form).toHaveCount(0);
  await expect(memberRow(panel, muted)).toContainText('Muted until');
  await expect(memberRow(panel, muted).getByRole('button', { name: `Unmute ${muted}` })).toBeVisible();

  // Their page (the other instance) says so at once, and the composer is disabled.
  const notice = b.locator('.composer').getByRole('status');
  await expect(notice).toContainText('A moderator made you read-only here until');
  await expect(box).toBeDisabled();
  await expect(b.locator('.composer').getByRole('button', { name: 'Send' })).toBeDisabled();

  // ---- the owner lifts it ----
  await memberRow(panel, muted).getByRole('button', { name: `Unmute ${muted}` }).click();
  await expect(memberRow(panel, muted)).not.toContainText('Muted until');
  await expect(memberRow(panel, muted).getByRole('button', { name: `Mute ${muted}` })).toBeVisible();
  await a.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);

  await expect(notice).toHaveCount(0);
  await expect(box).toBeEnabled();
  const text = `Back to talking ${stamp}`;
  await send(b, text);
  for (const page of [a, b]) await expect(bubble(page, text)).toHaveCount(1);
});
