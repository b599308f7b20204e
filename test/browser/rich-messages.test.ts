import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  expectConsole,
  said,
  say,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * Issue 15, composer and messages: a safe Markdown subset (never HTML), very
 * long messages folded behind "Show more", "Copy text" and "Copy link" (the
 * link opens the conversation at that message, highlighted), an emoji picker
 * in the composer, and a reaction picker with any emoji and who reacted.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `rich messages in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await alice.page
        .context()
        .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.node.url });
      await world.signUp(alice, 'alice');
      const bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.updateProfile({ displayName: 'Bob Builder' });
      const a = world.node.client();
      await a.login('alice', PASSWORD, 'script');
      await a.requestContact('bob');
      await bob.sendMessage('alice', 'Hello there', 'h1');
      for (let i = 0; i < 10; i++) await bob.sendMessage('alice', `Filler ${i}`, `f${i}`);
      await alice.page.goto(`${world.node.url}/chat/bob`);
      await said(alice, 'Filler 9').waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('renders bold, italic, code, code blocks, quotes and links, and never HTML', async () => {
      const text = [
        '> quoted <b>words</b>',
        'a **bold** _move_ with `<i>code</i>` and https://example.com/x_y',
        '```',
        '<img src=x onerror=alert(1)>',
        '```',
        '[x](javascript:alert(2)) <script>alert(3)</script>',
      ].join('\n');
      await say(alice, text);
      const m = alice.page.locator('li.msg.mine').last();
      await m.locator('strong', { hasText: 'bold' }).waitFor();
      expect(await m.locator('em').textContent()).toBe('move');
      expect(await m.locator('p code').textContent()).toBe('<i>code</i>');
      expect(await m.locator('pre code').textContent()).toBe('<img src=x onerror=alert(1)>');
      expect(await m.locator('blockquote').textContent()).toBe('quoted <b>words</b>');
      expect(
        await m.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      ).toEqual(['https://example.com/x_y']);
      // The chat list's preview shows the words, not the markup.
      const preview = alice.page.locator('.chats').getByText(/a bold move with/);
      await preview.waitFor();
      expect(await preview.textContent()).not.toContain('**');
      await world.shot(alice, 'formatting');
      // No element came from the text: only the ones the renderer builds.
      expect(await m.locator('.text img, .text script, .text b, .text i').count()).toBe(0);
    }, 60_000);

    it('folds a very long message behind Show more', async () => {
      await say(alice, Array.from({ length: 60 }, (_, i) => `Line ${i}`).join('\n'));
      const m = alice.page.locator('li.msg.mine').last();
      const more = m.getByRole('button', { name: 'Show more' });
      await more.waitFor();
      const folded = (await m.locator('.text').boundingBox())!.height;
      await more.click();
      await m.getByRole('button', { name: 'Show less' }).waitFor();
      expect((await m.locator('.text').boundingBox())!.height).toBeGreaterThan(folded * 2);
    }, 60_000);

    it('Copy text and Copy link; the link opens the chat at that message, highlighted', async () => {
      const hello = said(alice, 'Hello there');
      await hello.hover();
      await hello.getByRole('button', { name: 'Message actions' }).click();
      await alice.page.getByRole('menuitem', { name: 'Copy text' }).click();
      await hello.getByRole('status').filter({ hasText: 'Text copied' }).waitFor();
      expect(await alice.page.evaluate(() => navigator.clipboard.readText())).toBe('Hello there');
      await hello.getByRole('button', { name: 'Message actions' }).click();
      await alice.page.getByRole('menuitem', { name: 'Copy link' }).click();
      await hello.getByRole('status').filter({ hasText: 'Link copied' }).waitFor();
      const link = await alice.page.evaluate(() => navigator.clipboard.readText());
      const seq = await hello.getAttribute('data-seq');
      expect(link).toBe(`${world.node.url}/chat/bob#msg-${seq}`);

      const other = await world.person();
      await other.page.goto(world.node.url);
      await other.page.getByLabel('Username').fill('alice');
      await other.page.getByLabel('Password').fill(PASSWORD);
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      await other.page.getByTestId('me').waitFor();
      await other.page.goto(link);
      const target = other.page.locator(`li.msg[data-seq="${seq}"]`);
      await target.and(other.page.locator('.jumped')).waitFor();
      expect(await target.isVisible()).toBe(true);
      expectConsole(other, []);
      await other.page.context().close();
    }, 60_000);

    it('the composer’s emoji picker inserts at the caret, searchable by name', async () => {
      const box = alice.page.getByLabel('Message to Bob Builder');
      await box.fill('Cake ');
      await alice.page.getByRole('button', { name: 'Insert emoji' }).click();
      const picker = alice.page.getByRole('dialog', { name: 'Insert emoji' });
      await picker.getByRole('searchbox', { name: 'Search emoji by name' }).fill('birthday cake');
      await picker.getByRole('button', { name: 'birthday cake' }).waitFor();
      await world.shot(alice, 'emoji-picker');
      await picker.getByRole('button', { name: 'birthday cake' }).click();
      await picker.waitFor({ state: 'detached' });
      expect(await box.inputValue()).toBe('Cake 🎂');
      await box.press('Enter');
      await said(alice, 'Cake 🎂').waitFor();
    }, 60_000);

    it('reacts with any emoji from the full picker; hovering a reaction says who', async () => {
      const hello = said(alice, 'Hello there');
      await hello.hover();
      await hello.getByRole('button', { name: 'Message actions' }).click();
      await alice.page.getByRole('menuitem', { name: 'More reactions…' }).click();
      const picker = alice.page.getByRole('dialog', { name: 'React with any emoji' });
      const search = picker.getByRole('searchbox', { name: 'Search emoji by name' });
      await search.fill('hedgeh');
      await search.press('Enter');
      await picker.waitFor({ state: 'detached' });
      const chip = hello.locator('.reactions button', { hasText: '🦔' });
      await chip.waitFor();
      expect(await chip.getAttribute('title')).toBe('🦔 You');
      expect(await chip.getAttribute('aria-pressed')).toBe('true');
      expectConsole(alice, []);
    }, 60_000);
  },
);
