import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import { PASSWORD, messages, say, startWorld, type BrowserWorld, type Person } from './harness.js';

/**
 * The chat list: direct chats and rooms in one list by latest activity, a
 * stranger's message reachable from it, unread and mention badges, the count in
 * the tab title, and reading on one device clearing the badge on another.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `the chat list in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let bob: Person;
    let bob2: Person;
    /** Bob's account seen through the SDK, to check what the server holds. */
    let bobSdk: ParleyClient;
    const sdk: Record<string, ParleyClient> = {};

    const chat = (p: Person, who: string) => p.page.locator(`[data-chat="${who}"]`);
    const room = (p: Person, name: string) => p.page.locator(`.chats [data-room="${name}"]`);
    /** The chat list's entries, top to bottom, as `dm:name` / `room:name`. */
    const order = (p: Person) =>
      p.page
        .locator('.chats li')
        .evaluateAll((lis) =>
          lis.map((li) =>
            li.hasAttribute('data-chat')
              ? `dm:${li.getAttribute('data-chat')}`
              : `room:${li.getAttribute('data-room')}`,
          ),
        );
    const titleIs = (p: Person, title: string) => expect.poll(() => p.page.title()).toBe(title);
    const pause = () => new Promise((r) => setTimeout(r, 5));

    async function someone(name: string): Promise<ParleyClient> {
      const c = world.node.client();
      await c.register(name, PASSWORD);
      sdk[name] = c;
      return c;
    }

    beforeAll(async () => {
      // The paging test registers 50 people from this one address.
      world = await startWorld({ limits: { requests_per_minute_per_address: 100_000 } });
      bob = await world.person();
      bob2 = await world.person();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('a stranger’s message appears as a chat, with a badge and the count in the title', async () => {
      await world.signUp(bob, 'bob');
      await bob.page.getByText('No chats yet.').waitFor();
      expect(await bob.page.title()).toBe('Parley');
      bobSdk = world.node.client();
      await bobSdk.login('bob', PASSWORD, 'test script');

      const carol = await someone('carol');
      await carol.updateProfile({ displayName: 'Carol Danvers' });
      await carol.sendMessage('bob', 'Hello from someone you do not know', 'c1');
      const entry = chat(bob, 'carol');
      await entry.getByText('Hello from someone you do not know').waitFor();
      // Started by a live message, the chat still shows her name, not only her username.
      await entry.getByText('Carol Danvers').waitFor();
      await entry.getByLabel('1 unread').waitFor();
      await titleIs(bob, '(1) Parley');
      // Not a contact, yet reachable: the chat opens the conversation.
      expect(await bob.page.locator('[data-contact="carol"]').count()).toBe(0);
    }, 60_000);

    it('orders chats by the latest activity, either way', async () => {
      const dave = await someone('dave');
      await pause();
      await dave.sendMessage('bob', 'Dave here', 'd1');
      await chat(bob, 'dave').getByLabel('1 unread').waitFor();
      expect(await order(bob)).toEqual(['dm:dave', 'dm:carol']);
      await pause();
      await sdk.carol!.sendMessage('bob', 'Me again', 'c2');
      await chat(bob, 'carol').getByLabel('2 unread').waitFor();
      expect(await order(bob)).toEqual(['dm:carol', 'dm:dave']);
      await titleIs(bob, '(3) Parley');
      // The server holds the same order and counts.
      const listed = (await bobSdk.conversations()).conversations;
      expect(listed.map((c) => [c.with.username, c.unread])).toEqual([
        ['carol', 2],
        ['dave', 1],
      ]);
      // Bob's own message moves the chat up too.
      await pause();
      await bobSdk.sendMessage('dave', 'Hi Dave', 'b1');
      await chat(bob, 'dave').getByText('You: Hi Dave').waitFor();
      expect(await order(bob)).toEqual(['dm:dave', 'dm:carol']);
    }, 60_000);

    it('reading a chat clears its badge here, on the server, and on my other device', async () => {
      await bob2.page.goto(world.node.url);
      await bob2.page.getByLabel('Username').fill('bob');
      await bob2.page.getByLabel('Password').fill(PASSWORD);
      await bob2.page.getByRole('button', { name: 'Sign in' }).click();
      await chat(bob2, 'carol').getByLabel('2 unread').waitFor();
      await chat(bob2, 'dave').getByLabel('1 unread').waitFor();
      await titleIs(bob2, '(3) Parley');

      await chat(bob, 'carol').getByRole('button').click();
      await messages(bob).filter({ hasText: 'Me again' }).waitFor();
      await chat(bob, 'carol')
        .getByLabel(/unread/)
        .waitFor({ state: 'detached' });
      await titleIs(bob, '(1) Parley');
      // The other device follows the read marker.
      await chat(bob2, 'carol')
        .getByLabel(/unread/)
        .waitFor({ state: 'detached' });
      await titleIs(bob2, '(1) Parley');
      const carolChat = (await bobSdk.conversations()).conversations.find(
        (c) => c.with.username === 'carol',
      );
      expect(carolChat).toMatchObject({ unread: 0, read: 2 });

      // A message into the chat on screen is read as it arrives.
      await sdk.carol!.sendMessage('bob', 'Are you there?', 'c3');
      await messages(bob).filter({ hasText: 'Are you there?' }).waitFor();
      await chat(bob2, 'carol').getByText('Are you there?').waitFor();
      await expect
        .poll(async () => (await bobSdk.conversations()).conversations[0])
        .toMatchObject({ with: { username: 'carol' }, unread: 0, read: 3 });
      await chat(bob2, 'carol')
        .getByLabel(/unread/)
        .waitFor({ state: 'detached' });
      await titleIs(bob2, '(1) Parley');
      await world.shot(bob2, 'chats');
    }, 60_000);

    it('a chat on screen in a hidden tab stays unread until I look again', async () => {
      // Bob still has carol's chat open; the tab goes to the background.
      await bob.page.evaluate(`
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      `);
      await sdk.carol!.sendMessage('bob', 'Still there?', 'c4');
      await messages(bob).filter({ hasText: 'Still there?' }).waitFor();
      await chat(bob, 'carol').getByLabel('1 unread').waitFor();
      await titleIs(bob, '(2) Parley');
      expect(
        (await bobSdk.conversations()).conversations.find((c) => c.with.username === 'carol'),
      ).toMatchObject({ unread: 1, read: 3 });
      await bob.page.evaluate(`
        delete document.visibilityState;
        document.dispatchEvent(new Event('visibilitychange'));
      `);
      await chat(bob, 'carol')
        .getByLabel(/unread/)
        .waitFor({ state: 'detached' });
      await titleIs(bob, '(1) Parley');
      await expect
        .poll(async () =>
          (await bobSdk.conversations()).conversations.find((c) => c.with.username === 'carol'),
        )
        .toMatchObject({ unread: 0, read: 4 });
    }, 60_000);

    it('rooms sit in the same list, with mention badges and notify levels in the title', async () => {
      await bobSdk.rooms.create('tea', { topic: 'Tea time' });
      await room(bob, 'tea').waitFor();
      const alice = await someone('alice');
      await alice.rooms.join('tea');
      await pause();
      await alice.rooms.send('tea', 'Anyone for tea, @bob?', 'a1');
      const entry = room(bob, 'tea');
      await entry.getByLabel('1 mention').waitFor();
      await entry.getByLabel('1 unread').waitFor();
      await entry.getByText('alice: Anyone for tea, @bob?').waitFor();
      expect((await order(bob))[0]).toBe('room:tea');
      await titleIs(bob, '(2) Parley');
      await room(bob2, 'tea').getByLabel('1 mention').waitFor();
      await world.shot(bob2, 'chats-badges');

      // Notify on mentions only: a plain message counts in the badge, not in the title.
      await bobSdk.rooms.setNotify('tea', 'mentions');
      await alice.rooms.send('tea', 'The kettle is on', 'a2');
      await entry.getByLabel('2 unread').waitFor();
      await titleIs(bob, '(2) Parley');
      await bobSdk.rooms.setNotify('tea', 'none');
      await titleIs(bob, '(1) Parley');
      const mine = (await bobSdk.rooms.mine()).rooms.find((r) => r.name === 'tea');
      expect(mine).toMatchObject({ unread: 2, mentions: 1, notify: 'none' });

      // Reading the room clears both badges, here and on the other device.
      await entry.getByRole('button').click();
      await messages(bob).filter({ hasText: 'The kettle is on' }).waitFor();
      await entry.getByLabel(/unread|mention/).waitFor({ state: 'detached' });
      await room(bob2, 'tea')
        .getByLabel(/unread|mention/)
        .waitFor({ state: 'detached' });
      await expect
        .poll(async () => (await bobSdk.rooms.mine()).rooms.find((r) => r.name === 'tea'))
        .toMatchObject({ unread: 0, mentions: 0 });
      await say(bob, 'Yes please');
      await room(bob2, 'tea').getByText('You: Yes please').waitFor();
      // After a reload the room still shows its latest message (from rooms.mine).
      await alice.rooms.send('tea', 'Milk, no sugar', 'a3');
      await room(bob2, 'tea').getByText('alice: Milk, no sugar').waitFor();
      await bob2.page.reload();
      await room(bob2, 'tea').getByText('alice: Milk, no sugar').waitFor();
    }, 60_000);

    it('older chats load on demand, 50 at a time', async () => {
      for (let i = 0; i < 50; i++) {
        const c = await someone(`fan${String(i).padStart(2, '0')}`);
        await c.sendMessage('bob', `Fan mail ${i}`, `f${i}`);
      }
      // Sent while bob2 was away: after a reload only the newest 50 chats are loaded.
      await bob2.page.reload();
      await chat(bob2, 'fan49').getByText('Fan mail 49').waitFor();
      expect(await bob2.page.locator('.chats [data-chat]').count()).toBe(50);
      expect(await chat(bob2, 'dave').count()).toBe(0);
      await bob2.page.getByRole('button', { name: 'Show older chats' }).click();
      await chat(bob2, 'dave').getByText('You: Hi Dave').waitFor();
      expect(await bob2.page.locator('.chats [data-chat]').count()).toBe(52);
      await bob2.page
        .getByRole('button', { name: 'Show older chats' })
        .waitFor({ state: 'detached' });
      const listed = await order(bob2);
      expect(listed.slice(0, 2)).toEqual(['dm:fan49', 'dm:fan48']);
      expect(listed.slice(-3)).toEqual(['room:tea', 'dm:carol', 'dm:dave']);
      await titleIs(bob2, '(51) Parley');
    }, 120_000);

    it('fits a phone, opens a stranger’s chat from the list, and no page error happened', async () => {
      await bob2.page.setViewportSize({ width: 390, height: 780 });
      await chat(bob2, 'dave').getByRole('button').click();
      await messages(bob2).filter({ hasText: 'Dave here' }).waitFor();
      await world.shot(bob2, 'chats-phone');
      await bob2.page.getByRole('button', { name: 'Back to chats' }).click();
      await world.shot(bob2, 'chats-phone-list');
      // Even a quick look marks the chat read on the server.
      await expect
        .poll(async () =>
          (await bobSdk.conversations({ limit: 100 })).conversations.find(
            (c) => c.with.username === 'dave',
          ),
        )
        .toMatchObject({ unread: 0, read: 2 });
      // Runs in the page (this file is type-checked for Node).
      const width = await bob2.page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
            .document.documentElement.scrollWidth,
      );
      expect(width).toBeLessThanOrEqual(390);
      // The fans' 50 messages are still unread, on both devices.
      await titleIs(bob2, '(50) Parley');
      await titleIs(bob, '(50) Parley');
      for (const p of [bob, bob2]) {
        expect(p.errors).toEqual([]);
        expect(p.dialogs).toEqual([]);
      }
    }, 60_000);
  },
);
