import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  approve,
  contact,
  expectConsole,
  menu,
  openChat,
  said,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * A link in a message gets a card with the page's title under it (fetched by
 * the server from a local page, so the node allows private addresses), and
 * switching previews off in Settings takes the cards away.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `link previews in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: ParleyClient;
    let me: ParleyClient;
    let site: Server;
    let base = '';

    beforeAll(async () => {
      site = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<html><head><meta property="og:title" content="The &lt;b&gt;article&lt;/b&gt;">
           <meta property="og:description" content="What it says"><meta property="og:site_name" content="Local news"></head></html>`,
        );
      });
      await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      world = await startWorld({
        previews: { enabled: true, allow_private: true, allow_any_port: true },
      });
      alice = await world.person();
      await world.signUp(alice, 'alice');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.requestContact('alice');
      await approve(alice, 'bob');
      await contact(alice, 'bob').waitFor();
      me = world.node.client();
      await me.login('alice', PASSWORD, 'test script');
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
      site?.closeAllConnections();
      await new Promise((r) => site?.close(r));
    });

    it('shows a card with the title as text under a message with a link', async () => {
      await bob.sendMessage('alice', `read this: ${base}/article.`, 'lp1');
      await openChat(alice, 'bob');
      const card = said(alice, 'read this').locator('.link-preview');
      await card.locator('.lp-title', { hasText: 'The <b>article</b>' }).waitFor();
      expect(await card.locator('.lp-site').textContent()).toBe('Local news');
      expect(await card.getAttribute('href')).toBe(`${base}/article`);
      expect(await card.locator('b').count()).toBe(0);
    }, 60_000);

    it('switching previews off in Settings hides them', async () => {
      await menu(alice, 'Settings');
      await alice.page.getByLabel('Show link previews').uncheck();
      await alice.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect((await me.privacy()).linkPreviews).toBe(false);
      await openChat(alice, 'bob');
      // The setting is known before the list renders: no card is drawn, not even briefly.
      await said(alice, 'read this').waitFor();
      expect(await alice.page.locator('.link-preview').count()).toBe(0);
      expectConsole(alice, []);
    }, 60_000);
  },
);
