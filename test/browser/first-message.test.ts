import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/index.js';
import { CHROMIUM, HAVE_CHROMIUM } from './chromium.js';
import {
  PASSWORD,
  approve,
  contact,
  expectConsole,
  openChat,
  said,
  say,
  showContacts,
  slowLive,
  startWorld,
  type BrowserWorld,
  type Person,
} from './harness.js';

/**
 * My own first message to someone starts the chat in my chat list, and each
 * later one moves its preview, even when the live connection is slow: the send
 * result arrives first and the live event about it is then already seen.
 */
describe.skipIf(!HAVE_CHROMIUM)(
  `my own messages in my chat list in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing)`}`,
  () => {
    let world: BrowserWorld;
    let alice: Person;
    let bob: ParleyClient;
    const chat = (who: string) => alice.page.locator(`.chats [data-chat="${who}"]`);

    beforeAll(async () => {
      world = await startWorld();
      alice = await world.person();
      await world.signUp(alice, 'alice');
      bob = world.node.client();
      await bob.register('bob', PASSWORD);
      await bob.requestContact('alice');
      await approve(alice, 'bob');
      await contact(alice, 'bob').waitFor();
      await slowLive(alice, 1500);
      await alice.page.reload();
      await showContacts(alice);
      await contact(alice, 'bob').waitFor();
    }, 120_000);

    afterAll(async () => {
      await world?.dispose();
    });

    it('the first message adds the chat, and the next one moves its preview', async () => {
      await openChat(alice, 'bob');
      await alice.page.getByText('No messages yet').waitFor();
      await say(alice, 'First words');
      await said(alice, 'First words').and(alice.page.locator(':not([data-pending])')).waitFor();
      // The live event about it is still on its way: the send result alone must do.
      await chat('bob').getByText('You: First words').waitFor();
      await say(alice, 'Second words');
      await chat('bob').getByText('You: Second words').waitFor();
      expectConsole(alice, []);
    }, 60_000);
  },
);
