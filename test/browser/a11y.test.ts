import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import { PASSWORD, menu, said, startWorld, type BrowserWorld, type Person } from './harness.js';

/**
 * Issue 15, accessibility: axe-core audits the main screens (sign-in and
 * sign-up, the chat list with a conversation open, a room with its members,
 * settings, the quick switcher and the emoji picker); any serious or
 * critical violation fails, listed by rule and element.
 */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

async function audit(p: Person): Promise<string[]> {
  // Evaluated by the debugger protocol: the page's Content-Security-Policy does not apply.
  await p.page.evaluate(AXE);
  const violations = await p.page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<unknown> } }).axe;
    const r = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: Violation[];
    };
    return r.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html}`).join(', ')}`,
    );
}

describe.skipIf(!HAVE_CHROMIUM)(
  `accessibility audit (axe-core) in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      const bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.updateProfile({ displayName: 'Bob Builder' });
      await bob.rooms.create('tea', { topic: 'Kettle talk' });
      await bob.rooms.send('tea', 'Welcome to **tea**', 't1');
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    for (const theme of ['light', 'dark'] as const)
      it(`sign-in and sign-up (${theme})`, async () => {
        await alice.page.emulateMedia({ colorScheme: theme });
        await alice.page.goto(world.node.url);
        await alice.page.getByLabel('Username').waitFor();
        expect(await audit(alice)).toEqual([]);
        // With an error shown and the rules half met.
        await alice.page.getByLabel('Username').fill('alice');
        await alice.page.getByLabel('Password').fill('short');
        await alice.page.getByRole('button', { name: 'Sign up' }).click();
        await alice.page.getByRole('alert').waitFor();
        expect(await audit(alice)).toEqual([]);
      }, 60_000);

    it('chat list with a conversation open', async () => {
      await alice.page.emulateMedia({ colorScheme: 'light' });
      await world.signUp(alice, 'alice');
      const a = world.node.client();
      await a.login('alice', PASSWORD, 'script');
      await a.requestContact('bob');
      const bob = world.node.client();
      await bob.login('bob', PASSWORD, 'script');
      await bob.sendMessage('alice', 'Hi _Alice_, see `this`', 'd1');
      // One of mine too: my bubble is in the accent colour, its time and tick on it.
      await a.sendMessage('bob', 'Hello **Bob**, see https://example.com', 'a1');
      await alice.page.goto(`${world.node.url}/chat/bob`);
      await said(alice, 'Hi Alice').waitFor();
      await said(alice, 'Hello Bob').waitFor();
      expect(await audit(alice)).toEqual([]);
      // Bubbles, header and composer in the dark theme too.
      await alice.page.emulateMedia({ colorScheme: 'dark' });
      expect(await audit(alice)).toEqual([]);
      await alice.page.emulateMedia({ colorScheme: 'light' });
    }, 60_000);

    it('a room with its members panel', async () => {
      const a = world.node.client();
      await a.login('alice', PASSWORD, 'script');
      await a.rooms.join('tea');
      await alice.page.goto(`${world.node.url}/room/tea`);
      await said(alice, 'Welcome to').waitFor();
      await alice.page.locator('[data-member="bob"]').waitFor();
      expect(await audit(alice)).toEqual([]);
    }, 60_000);

    it('settings, preferences, the quick switcher and the emoji picker', async () => {
      await menu(alice, 'Settings');
      await alice.page.waitForURL(/\/p\/settings$/);
      expect(await audit(alice)).toEqual([]);
      await menu(alice, 'Preferences');
      await alice.page.waitForURL(/\/p\/preferences$/);
      expect(await audit(alice)).toEqual([]);
      await alice.page.keyboard.press('Control+k');
      await alice.page.getByRole('dialog', { name: 'Jump to a conversation' }).waitFor();
      expect(await audit(alice)).toEqual([]);
      await alice.page.keyboard.press('Escape');
      await alice.page.goto(`${world.node.url}/room/tea`);
      await alice.page.getByRole('button', { name: 'Insert emoji' }).click();
      await alice.page.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
      expect(await audit(alice)).toEqual([]);
    }, 60_000);
  },
);
