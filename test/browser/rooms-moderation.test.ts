import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  menu,
  messages,
  myPresence,
  newChat,
  chatMenu,
  refused,
  setPresence,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Running a room from the web client: alice (owner) invites carol to a private
 * room, gives bob a role, edits and locks the topic, mutes, kicks, bans and
 * unbans carol; everyone sees it happen in the history. Then the per-room
 * notify level, mentions, and the preferences: theme, automatic away and
 * desktop notifications. Each step is checked on screen and on the server.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `rooms moderation and preferences in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: Person;
    let carol: Person;
    let sdk: ParleyClient;
    let aliceId: string;
    const member = (p: Person, who: string) => p.page.locator(`[data-member="${who}"]`);
    const line = (p: Person, kind: string, text: string | RegExp) =>
      p.page.locator(`.room-line[data-line="${kind}"]`).filter({ hasText: text });
    const topic = (p: Person) => p.page.getByTestId('topic');
    const server = async (room = 'den') =>
      (await sdk.rooms.members(room)).members.map((m) => `${m.username}:${m.role}:${m.muted}`);
    /** Opens the actions on `who` in the member list and clicks `action`. */
    async function act(p: Person, who: string, action: string) {
      await member(p, who)
        .getByRole('button', { name: new RegExp(`^${who}\\b`) })
        .click();
      await p.page
        .getByRole('menu', { name: `Actions for ${who}` })
        .getByRole('menuitem', { name: action, exact: true })
        .click();
    }

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      bob = await world.person();
      carol = await world.person();
      await world.signUp(alice, 'alice');
      await world.signUp(bob, 'bob');
      await world.signUp(carol, 'carol');
      sdk = world.node.client();
      aliceId = (await sdk.login('alice', PASSWORD, 'test script')).user.id;
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('alice creates a private room and invites bob and carol by username', async () => {
      await newChat(alice, 'Create or browse rooms');
      await alice.page.getByLabel('Room name').fill('den');
      await alice.page.getByLabel('Topic (optional)').fill('Plans');
      await alice.page.getByLabel('Private (by invitation only)').check();
      await alice.page.getByRole('button', { name: 'Create room', exact: true }).click();
      await topic(alice).filter({ hasText: 'Plans' }).waitFor();

      await chatMenu(alice, 'Invite people');
      const who = alice.page.getByLabel('Invite to #den');
      await alice.page.getByRole('button', { name: 'Send invitation' }).click();
      await alice.page.getByText('Enter the username of the person to invite.').waitFor();
      await who.fill('nobody-here');
      await alice.page.getByRole('button', { name: 'Send invitation' }).click();
      await alice.page
        .getByRole('alert')
        .filter({ hasText: /no such user|not found/i })
        .waitFor();
      refused(alice, 404);
      for (const u of ['bob', 'carol']) {
        await who.fill(u);
        await alice.page.getByRole('button', { name: 'Send invitation' }).click();
        await alice.page.getByText(`Invited ${u} to #den.`).waitFor();
        await line(alice, 'invited', `You invited ${u}`).waitFor();
      }
      await alice.page.getByRole('button', { name: 'Close' }).click();

      for (const p of [bob, carol]) {
        await p.page.getByRole('button', { name: 'Join #den' }).click();
        await topic(p).filter({ hasText: 'Plans' }).waitFor();
      }
      // Four comings in a row (two invitations, two joins): one line sums them up.
      await alice.page
        .locator('.room-lines')
        .filter({ hasText: 'bob and carol were invited; bob and carol joined' })
        .waitFor();
      await member(alice, 'carol').waitFor();
      expect(await server()).toEqual([
        'alice:owner:false',
        'bob:member:false',
        'carol:member:false',
      ]);
      await member(alice, 'alice').locator('.role-badge', { hasText: 'owner' }).waitFor();
    }, 60_000);

    it('roles: alice makes bob a moderator, and bob gets the actions of one', async () => {
      // A member has no moderation actions on others.
      await member(bob, 'carol').getByRole('button').click();
      const bobOnCarol = bob.page.getByRole('menu', { name: 'Actions for carol' });
      await bobOnCarol.getByRole('menuitem', { name: 'Message' }).waitFor();
      expect(await bobOnCarol.getByRole('menuitem').allTextContents()).toEqual(['Message']);
      await bob.page.keyboard.press('Escape');
      await bobOnCarol.waitFor({ state: 'detached' });

      await act(alice, 'bob', 'Make moderator');
      await line(alice, 'role', 'You made bob a moderator').waitFor();
      await line(bob, 'role', 'alice made you a moderator').waitFor();
      await member(carol, 'bob').locator('.role-badge', { hasText: 'mod' }).waitFor();
      expect(await server()).toContain('bob:moderator:false');

      await member(bob, 'carol').getByRole('button').click();
      expect(await bobOnCarol.getByRole('menuitem').allTextContents()).toEqual([
        'Message',
        'Mute',
        'Kick…',
        'Ban…',
      ]);
      await bob.page.keyboard.press('Escape');
      await bobOnCarol.waitFor({ state: 'detached' });
    }, 60_000);

    it('topic: carol edits it; alice locks it and carol may no longer', async () => {
      await chatMenu(carol, 'Edit topic');
      await carol.page.getByLabel('Topic of #den').fill('Plans for <b>Saturday</b>');
      await carol.page.getByRole('button', { name: 'Save topic' }).click();
      await topic(alice).filter({ hasText: 'Plans for <b>Saturday</b>' }).waitFor();
      await line(
        alice,
        'topic',
        'carol changed the topic to “Plans for <b>Saturday</b>”',
      ).waitFor();
      expect(await alice.page.locator('.messages b').count()).toBe(0);

      await chatMenu(alice, 'Room settings');
      await alice.page.getByLabel('Only moderators and up may change the topic').check();
      await line(carol, 'settings', 'alice locked the topic').waitFor();
      // Locked: Edit topic leaves carol's menu.
      await carol.page.locator('.chat-head').getByRole('button', { name: 'More options' }).click();
      const options = carol.page.getByRole('menu', { name: 'More options' });
      await options.getByRole('menuitem', { name: 'Room settings' }).waitFor();
      expect(await options.getByRole('menuitem', { name: 'Edit topic' }).count()).toBe(0);
      await carol.page.keyboard.press('Escape');
      await options.waitFor({ state: 'detached' });
      expect((await sdk.rooms.get('den')).room.topicLocked).toBe(true);
      await chatMenu(alice, 'Room settings');
    }, 60_000);

    it('mute: carol cannot speak, and is told why; unmute', async () => {
      await act(bob, 'carol', 'Mute');
      await line(carol, 'muted', 'bob muted you').waitFor();
      // Said where she would write, and the composer is disabled.
      const note = carol.page.getByText('You are muted in #den: you may read, not speak.');
      await note.waitFor();
      expect(await carol.page.getByLabel('Message to #den').isDisabled()).toBe(true);
      expect(await server()).toContain('carol:member:true');
      await member(alice, 'carol').locator('.role-badge.muted').waitFor();

      await act(bob, 'carol', 'Unmute');
      await line(carol, 'unmuted', 'bob unmuted you').waitFor();
      await note.waitFor({ state: 'detached' });
      expect(await carol.page.getByLabel('Message to #den').isDisabled()).toBe(false);
      expect(await server()).toContain('carol:member:false');
    }, 60_000);

    it('kick with a reason: carol is told, and the room leaves her list', async () => {
      await act(alice, 'carol', 'Kick…');
      await alice.page.getByLabel('Reason (optional, others see it)').fill('Too loud');
      await alice.page.getByRole('button', { name: 'Kick carol' }).click();
      await line(alice, 'kicked', 'You removed carol from the room: Too loud').waitFor();
      await carol.page
        .getByRole('alert')
        .filter({ hasText: 'alice removed you from #den: Too loud' })
        .waitFor();
      await carol.page.locator('[data-room="den"]').waitFor({ state: 'detached' });
      await member(alice, 'carol').waitFor({ state: 'detached' });
      expect(await server()).toEqual(['alice:owner:false', 'bob:moderator:false']);
    }, 60_000);

    it('ban: carol cannot come back (a clear error); unban lets her', async () => {
      // Public from now on, so carol can find the room and try the door herself.
      await chatMenu(alice, 'Room settings');
      await alice.page.getByLabel('Who may join').selectOption('public');
      await line(bob, 'settings', 'alice made the room public').waitFor();
      expect((await sdk.rooms.get('den')).room.visibility).toBe('public');
      await chatMenu(alice, 'Room settings');

      await newChat(carol, 'Create or browse rooms');
      const listed = carol.page.locator('[data-directory-room="den"]');
      await listed.getByRole('button', { name: 'Join #den' }).click();
      await member(alice, 'carol').waitFor();

      await act(alice, 'carol', 'Ban…');
      await alice.page.getByLabel('Reason (optional, others see it)').fill('Spam');
      await alice.page.getByLabel('How long').selectOption({ label: '1 day' });
      await alice.page.getByRole('button', { name: 'Ban carol' }).click();
      await line(bob, 'banned', 'alice banned carol for 24 hours: Spam').waitFor();
      await carol.page
        .getByRole('alert')
        .filter({ hasText: 'alice banned you from #den: Spam' })
        .waitFor();
      const bans = await sdk.rooms.bans('den');
      expect(bans.map((b) => [b.username, b.reason, b.expiresAt !== null])).toEqual([
        ['carol', 'Spam', true],
      ]);

      await newChat(carol, 'Create or browse rooms');
      await listed.getByRole('button', { name: 'Join #den' }).click();
      await carol.page
        .getByRole('alert')
        .filter({ hasText: 'you are banned from #den: Spam' })
        .waitFor();
      refused(carol, 403);
      expect(await server()).toEqual(['alice:owner:false', 'bob:moderator:false']);

      await chatMenu(bob, 'Room settings');
      const ban = bob.page.locator('[data-ban="carol"]');
      await ban.getByText('Spam').waitFor();
      await ban.getByRole('button', { name: 'Unban carol' }).click();
      await ban.waitFor({ state: 'detached' });
      await line(alice, 'unbanned', 'bob lifted the ban on carol').waitFor();
      expect(await sdk.rooms.bans('den')).toEqual([]);

      // A ban may come before a visit.
      await world.node.client().register('dave', PASSWORD);
      await bob.page.getByRole('button', { name: 'Ban', exact: true }).click();
      await bob.page.getByText('Enter the username of the person to ban.').waitFor();
      await bob.page.getByLabel('Ban someone by username').fill('Dave');
      await bob.page.getByLabel('Reason (optional)', { exact: true }).fill('Known troll');
      await bob.page.getByRole('button', { name: 'Ban', exact: true }).click();
      await bob.page.locator('[data-ban="dave"]').getByText('Known troll').waitFor();
      await line(alice, 'banned', 'bob banned dave: Known troll').waitFor();
      expect((await sdk.rooms.bans('den')).map((b) => b.username)).toEqual(['dave']);
      await bob.page.getByRole('button', { name: 'Unban dave' }).click();
      await bob.page.locator('[data-ban="dave"]').waitFor({ state: 'detached' });
      expect(await sdk.rooms.bans('den')).toEqual([]);
      await chatMenu(bob, 'Room settings');
      await listed.getByRole('button', { name: 'Join #den' }).click();
      await member(alice, 'carol').waitFor();
      await topic(carol).filter({ hasText: 'Saturday' }).waitFor();
    }, 60_000);

    it('notify level is kept on the server and shown after a reload', async () => {
      await chatMenu(carol, 'Room settings');
      await carol.page.getByLabel('Notify me about').selectOption('mentions');
      await carol.page.getByText('Notification setting saved.').waitFor();
      await carol.page.getByTestId('notify-level').filter({ hasText: 'Mentions only' }).waitFor();
      const mine = world.node.client();
      await mine.login('carol', PASSWORD, 'test script');
      expect((await mine.rooms.mine()).rooms.find((r) => r.name === 'den')?.notify).toBe(
        'mentions',
      );

      await carol.page.reload();
      await carol.page.locator('[data-room="den"]').getByRole('button').click();
      await carol.page.getByTestId('notify-level').filter({ hasText: 'Mentions only' }).waitFor();
      await chatMenu(carol, 'Room settings');
      expect(await carol.page.getByLabel('Notify me about').inputValue()).toBe('mentions');
      await chatMenu(carol, 'Room settings');
    }, 60_000);

    it('mentions: @ offers members, and a mention of me stands out', async () => {
      await alice.page.locator('[data-room="den"]').getByRole('button').click();
      const box = alice.page.getByLabel('Message to #den');
      await box.pressSequentially('Hello @ca');
      const options = alice.page.getByRole('listbox', { name: 'Members to mention' });
      expect(await options.getByRole('option').allTextContents()).toEqual(['@carol']);
      await box.press('Enter');
      expect(await box.inputValue()).toBe('Hello @carol ');
      await box.pressSequentially('and @bob, tea? (not @nobody)');
      await box.press('Escape');
      await box.press('Enter');

      const msg = messages(carol).filter({ hasText: 'tea?' });
      await msg.waitFor();
      expect(await msg.locator('.mention.me').allTextContents()).toEqual(['@carol']);
      expect(await msg.locator('.mention:not(.me)').allTextContents()).toEqual(['@bob']);
      const sent = (await sdk.rooms.history('den', { limit: 1 })).messages[0]!;
      expect(sent.text).toBe('Hello @carol and @bob, tea? (not @nobody)');
      expect(sent.mentions).toHaveLength(2);
      await world.shot(carol, 'room-moderation');
      await carol.page.setViewportSize({ width: 390, height: 780 });
      await world.shot(carol, 'room-moderation-phone');
      expect(
        await carol.page.evaluate<number>('document.documentElement.scrollWidth'),
      ).toBeLessThanOrEqual(390);
      await carol.page.setViewportSize({ width: 1100, height: 720 });
    }, 60_000);

    it('preferences: the theme overrides the device and is kept across a reload', async () => {
      const bg = () =>
        alice.page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      const theme = () =>
        alice.page.evaluate<string | null>('document.documentElement.dataset.theme ?? null');
      await alice.page.emulateMedia({ colorScheme: 'light' });
      await menu(alice, 'Preferences');
      expect(await theme()).toBeNull();
      await alice.page.getByLabel('Colours').selectOption('dark');
      expect(await theme()).toBe('dark');
      expect(await bg()).toBe('rgb(21, 23, 27)');
      await world.shot(alice, 'preferences-dark');
      await alice.page.setViewportSize({ width: 390, height: 780 });
      await world.shot(alice, 'preferences-phone');
      expect(
        await alice.page.evaluate<number>('document.documentElement.scrollWidth'),
      ).toBeLessThanOrEqual(390);
      await alice.page.setViewportSize({ width: 1100, height: 720 });
      await alice.page.reload();
      await alice.page.getByTestId('me').filter({ hasText: 'alice' }).waitFor();
      expect(await theme()).toBe('dark');
      expect(await bg()).toBe('rgb(21, 23, 27)');

      await alice.page.emulateMedia({ colorScheme: 'dark' });
      await menu(alice, 'Preferences');
      expect(await alice.page.getByLabel('Colours').inputValue()).toBe('dark');
      await alice.page.getByLabel('Colours').selectOption('light');
      expect(await bg()).toBe('rgb(255, 255, 255)');
      await alice.page.getByLabel('Colours').selectOption('system');
      expect(await theme()).toBeNull();
      expect(await bg()).toBe('rgb(21, 23, 27)');
      await alice.page.emulateMedia({ colorScheme: 'light' });

      // Bad input changes nothing.
      await alice.page.getByLabel('After (minutes)').fill('0');
      await alice.page.getByRole('button', { name: 'Save', exact: true }).click();
      await alice.page.getByRole('alert').filter({ hasText: 'whole number of minutes' }).waitFor();
      const saved = await alice.page.evaluate<string>(
        `localStorage.getItem('parley.prefs.${aliceId}')`,
      );
      expect(JSON.parse(saved)).toMatchObject({ theme: 'system', awayMinutes: 10 });
    }, 60_000);

    it('automatic away after a short idle, back on activity, never over Busy', async () => {
      const bobSdk = world.node.client();
      await bobSdk.login('bob', PASSWORD, 'test script');
      await bobSdk.requestContact('alice');
      await sdk.approveContact('bob');
      const seen = async () => (await bobSdk.presence()).find((p) => p.userId === aliceId)?.show;
      const chosen = async () => (await myPresence(alice)).show;
      // A few seconds instead of minutes: the stored preference takes fractions.
      const key = `parley.prefs.${aliceId}`;
      await alice.page.evaluate(
        `localStorage.setItem('${key}', JSON.stringify({ ...JSON.parse(localStorage.getItem('${key}') ?? '{}'), autoAway: true, awayMinutes: 0.05 }))`,
      );
      await alice.page.reload();
      await alice.page.getByTestId('me').filter({ hasText: 'alice' }).waitFor();
      // This device looks away; the account's choice stays Available.
      const idle = alice.page.getByText('Away (idle)');
      await idle.waitFor({ timeout: 15_000 });
      await expect.poll(seen, { timeout: 10_000 }).toBe('away');
      expect(await chosen()).toBe('available');

      await alice.page.mouse.move(20, 20);
      await alice.page.mouse.move(200, 200);
      await idle.waitFor({ state: 'detached' });
      await expect.poll(seen, { timeout: 10_000 }).toBe('available');

      await setPresence(alice, 'dnd');
      await alice.page.waitForTimeout(5000);
      expect(await chosen()).toBe('dnd');
      await expect.poll(seen, { timeout: 10_000 }).toBe('dnd');
      await setPresence(alice, 'available');
      await menu(alice, 'Preferences');
      await alice.page.getByLabel('Show me as away when I am not using Parley').uncheck();
    }, 60_000);

    it('desktop notifications while hidden: room level honoured, mine never, a click opens it', async () => {
      const context = carol.page.context();
      await context.grantPermissions(['notifications'], { origin: world.node.url });
      // What the browser API is asked to show, and a tab that looks hidden.
      await context.addInitScript(`
        window.__notes = [];
        const Real = window.Notification;
        class Spy extends Real {
          constructor(title, opts) {
            const note = { title, body: opts && opts.body };
            window.__notes.push(note);
            super(title, opts);
            note.n = this;
          }
        }
        Object.defineProperty(Spy, 'permission', { get: () => Real.permission });
        Spy.requestPermission = (...a) => Real.requestPermission(...a);
        window.Notification = Spy;
        Object.defineProperty(document, 'visibilityState', { get: () => 'hidden' });
        Object.defineProperty(document, 'hidden', { get: () => true });
      `);
      await carol.page.reload();
      await carol.page.getByTestId('me').filter({ hasText: 'carol' }).waitFor();
      await menu(carol, 'Preferences');
      const toggle = carol.page.getByLabel(
        'Desktop notifications while Parley is in the background',
      );
      await toggle.check();
      await expect.poll(() => toggle.isChecked()).toBe(true);
      const notes = () =>
        carol.page.evaluate<{ title: string; body: string }[]>(
          'window.__notes.map((x) => ({ title: x.title, body: x.body }))',
        );

      const bobSdk = world.node.client();
      await bobSdk.login('bob', PASSWORD, 'test script');
      const carolSdk = world.node.client();
      await carolSdk.login('carol', PASSWORD, 'test script');
      // Carol's level in #den is "Mentions only".
      await bobSdk.rooms.send('den', 'Nothing for carol here', 'n-1');
      await carolSdk.rooms.send('den', 'Carol talks to herself @carol', 'n-2');
      await bobSdk.rooms.send('den', 'Ping @carol', 'n-3');
      await expect.poll(notes).toEqual([{ title: 'bob in #den', body: 'Ping @carol' }]);

      await sdk.sendMessage('carol', 'Are you there?', 'n-4');
      await expect.poll(notes).toEqual([
        { title: 'bob in #den', body: 'Ping @carol' },
        { title: 'alice', body: 'Are you there?' },
      ]);
      await carol.page.evaluate('window.__notes[1].n.onclick()');
      await carol.page.getByRole('heading', { name: 'alice' }).waitFor();
      await messages(carol).filter({ hasText: 'Are you there?' }).waitFor();

      // Turned off: nothing more.
      await menu(carol, 'Preferences');
      await toggle.uncheck();
      await bobSdk.rooms.send('den', 'Again @carol', 'n-5');
      await carol.page.locator('[data-room="den"]').getByLabel('3 unread').waitFor();
      expect(await notes()).toHaveLength(2);
    }, 60_000);

    it('a member carol blocked: folded in the room, never a mention; shown when she asks', async () => {
      const carolSdk = world.node.client();
      await carolSdk.login('carol', PASSWORD, 'test script');
      const bobSdk = world.node.client();
      await bobSdk.login('bob', PASSWORD, 'test script');
      const den = carol.page.locator('[data-room="den"]');
      await den.getByLabel('3 unread').waitFor();
      await den.getByLabel('2 mentions').waitFor();
      // Both were bob's: while carol blocks him, they count as messages, not mentions.
      await carolSdk.block('bob');
      await expect.poll(() => den.locator('.badge.mention').count()).toBe(0);
      await bobSdk.rooms.send('den', 'Psst @carol, look here', 'b-1');
      await den.getByLabel('4 unread').waitFor();
      expect(await den.locator('.badge.mention').count()).toBe(0);
      // The server's counts, after a reload, agree.
      await carol.page.reload();
      await den.getByLabel('4 unread').waitFor();
      expect(await den.locator('.badge.mention').count()).toBe(0);

      await den.getByRole('button').first().click();
      const folded = messages(carol).filter({ hasText: 'A message from someone you blocked.' });
      // Every message of bob's here is folded; the newest is his last one.
      await folded.last().waitFor();
      expect(await messages(carol).filter({ hasText: 'Psst' }).count()).toBe(0);
      await folded.last().getByRole('button', { name: 'Show it' }).click();
      await messages(carol).filter({ hasText: 'Psst @carol, look here' }).waitFor();
      // Unblocking unfolds the rest; his mentions count again (carol has read them now).
      await carolSdk.unblock('bob');
      await messages(carol).filter({ hasText: 'Again @carol' }).waitFor();
      expect(await folded.count()).toBe(0);
    }, 60_000);

    it('nobody saw a page error or a browser dialog', () => {
      for (const p of [alice, bob, carol]) {
        expect(p.errors).toEqual([]);
        expect(p.dialogs).toEqual([]);
      }
    });
  },
);
