/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks that run in the page (evaluate) are typed with the browser's own library.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { storeBackends, tempDir } from '../helpers/backends.js';
import { startNode, startSingle } from '../helpers/server.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureWebBuilt } from './chromium.js';

/**
 * What every browser test file needs: one server on port 0 (SQLite), one
 * Chromium, people in separate browser contexts who record dialogs and page
 * errors (a test ends by checking both are empty), and the common gestures.
 */
export const PASSWORD = 'correct horse battery';

export interface Person {
  page: Page;
  dialogs: string[];
  errors: string[];
}

export type Sections = Parameters<typeof startSingle>[1];

export interface BrowserWorld {
  node: Awaited<ReturnType<typeof startSingle>>;
  browser: Browser;
  shots: string;
  person(): Promise<Person>;
  signUp(p: Person, username: string): Promise<void>;
  shot(p: Person, name: string): Promise<unknown>;
  /**
   * Stops the server: every connection drops and nothing listens, as when it
   * goes away. Calling the returned function starts it again on the same port
   * and database (world.node is then the new one).
   */
  pause(): Promise<() => Promise<void>>;
  dispose(): Promise<void>;
}

/** `args`: more Chromium flags (a fake microphone: MEDIA_ARGS in chromium.ts). */
export async function startWorld(
  config?: Sections,
  opts: { args?: string[] } = {},
): Promise<BrowserWorld> {
  const tmp = tempDir('parley-shots-');
  const shots = process.env.PARLEY_SCREENSHOTS ?? tmp.dir;
  mkdirSync(shots, { recursive: true });
  ensureWebBuilt();
  const db = storeBackends()[0]!.make();
  // Link previews are off unless a test turns them on: with no network here, every link
  // in a message would be an `unreachable` answer and a console error in the page.
  const withDefaults: Sections = {
    ...config,
    previews: { enabled: false, ...config?.previews },
  };
  const first = await startNode({ db, config: withDefaults });
  let stopped = false;
  const node: Awaited<ReturnType<typeof startSingle>> = {
    ...first,
    async dispose() {
      if (!stopped) await world.node.stop();
      await db.cleanup();
    },
  };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
  });
  const world: BrowserWorld = {
    node,
    browser,
    shots,
    async person() {
      const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
      const page = await context.newPage();
      const p: Person = { page, dialogs: [], errors: [] };
      page.on('dialog', (d) => {
        p.dialogs.push(d.message());
        void d.dismiss();
      });
      // Marked, so no tolerance for a known console message can ever let one through.
      page.on('pageerror', (e) => p.errors.push(`pageerror: ${String(e)}`));
      page.on('console', (m) => {
        if (m.type() === 'error') p.errors.push(m.text());
      });
      return p;
    },
    async signUp(p, username) {
      await p.page.goto(node.url);
      await p.page.getByLabel('Username').fill(username);
      await p.page.getByLabel('Password').fill(PASSWORD);
      await p.page.getByRole('button', { name: 'Sign up' }).click();
      await p.page.getByTestId('me').filter({ hasText: username }).waitFor();
    },
    shot: (p, name) => p.page.screenshot({ path: join(shots, `${name}.png`) }),
    async pause() {
      const port = Number(new URL(world.node.url).port);
      stopped = true;
      await world.node.stop();
      return async () => {
        const again = await startNode({
          db,
          config: { ...withDefaults, server: { ...config?.server, port } },
        });
        world.node = { ...again, dispose: node.dispose };
        stopped = false;
      };
    },
    async dispose() {
      await browser.close();
      await world.node.dispose();
      tmp.cleanup();
    },
  };
  return world;
}

/** A contact's row in the sidebar's Contacts view (showContacts opens it). */
export const contact = (p: Person, who: string) => p.page.locator(`[data-contact="${who}"]`);
/** A chat's row in the chat list: a person by username. */
export const chatRow = (p: Person, who: string) => p.page.locator(`.chats [data-chat="${who}"]`);
/** A room's row in the chat list. */
export const roomRow = (p: Person, name: string) => p.page.locator(`.chats [data-room="${name}"]`);

/** The sidebar shows my contacts (requests, groups, each one's menu) in place of the chats. */
export async function showContacts(p: Person): Promise<void> {
  if (await p.page.locator('.contacts-view').isVisible()) return;
  await p.page
    .locator('.side-head')
    .getByRole('button', { name: /^Contacts/ })
    .click();
  await p.page.locator('.contacts-view').waitFor();
}

/** The sidebar shows the chat list again. */
export async function showChats(p: Person): Promise<void> {
  if (!(await p.page.locator('.contacts-view').isVisible())) return;
  await p.page.getByRole('button', { name: 'Back to chats' }).click();
  await p.page.locator('.chats').waitFor();
}

/**
 * Opens the conversation with `who` as a person would from the sidebar: types
 * the name into the filter atop the chat list and picks the row found (a chat,
 * or a contact without one yet).
 */
export async function openChat(p: Person, who: string): Promise<void> {
  await showChats(p);
  await p.page.getByRole('searchbox', { name: 'Search chats and contacts' }).fill(who);
  await chatRow(p, who).getByRole('button').first().click();
  await p.page.locator(`.conversation`).waitFor();
}

/** Chooses `item` ("Settings", "Preferences", "Filtered messages", "Sign out") in the sidebar's menu. */
export async function menu(p: Person, item: string | RegExp): Promise<void> {
  await p.page.locator('.side-head').getByRole('button', { name: /^Menu/ }).click();
  await p.page
    .getByRole('menuitem', typeof item === 'string' ? { name: item, exact: true } : { name: item })
    .click();
}

/** "New chat" then one of its items ("Add a contact", "Find people", "Create or browse rooms"). */
export async function newChat(p: Person, item: string): Promise<void> {
  await p.page.locator('.side-head').getByRole('button', { name: 'New chat' }).click();
  await p.page.getByRole('menuitem', { name: item, exact: true }).click();
}

/** Sends a contact request from the "Add a contact" dialog. */
export async function addContact(p: Person, who: string, note = ''): Promise<void> {
  await newChat(p, 'Add a contact');
  const dialog = p.page.getByRole('dialog', { name: 'Add a contact' });
  await dialog.getByLabel('Their username').fill(who);
  if (note) await dialog.getByLabel('Note (optional)').fill(note);
  await dialog.getByRole('button', { name: 'Send request' }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** A waiting contact request from `who`, in the Contacts view (opened for it). */
export async function request(p: Person, who: string): Promise<Locator> {
  await showContacts(p);
  return p.page.locator(`[data-request="${who}"]`);
}

/** Approves `who`'s contact request. */
export async function approve(p: Person, who: string): Promise<void> {
  const r = await request(p, who);
  await r.getByRole('button', { name: 'Approve' }).click();
  await r.waitFor({ state: 'detached' });
}

/** The words the status popover uses for each show. */
const SHOWS = {
  available: 'Available',
  away: 'Away',
  dnd: 'Busy',
  xa: 'Away for long',
  invisible: 'Invisible',
} as const;

/**
 * Chooses my presence in the status popover atop the sidebar and, when given,
 * a status text (Enter saves it and closes the popover).
 */
export async function setPresence(
  p: Person,
  show: keyof typeof SHOWS | null,
  text?: string,
): Promise<void> {
  const pop = p.page.getByRole('dialog', { name: 'Your status' });
  if (!(await pop.isVisible()))
    await p.page.getByRole('button', { name: /Change your status$/ }).click();
  if (show) await pop.getByRole('radio', { name: SHOWS[show], exact: true }).check();
  if (text === undefined) {
    await p.page.keyboard.press('Escape');
  } else {
    await pop.getByLabel('Status message').fill(text);
    await pop.getByLabel('Status message').press('Enter');
  }
  await pop.waitFor({ state: 'detached' });
}

/** My presence as the sidebar shows it: the show chosen and the line under my name. */
export async function myPresence(p: Person): Promise<{ show: string | null; line: string }> {
  const l = p.page.getByTestId('my-presence');
  return { show: await l.getAttribute('data-show'), line: (await l.textContent()) ?? '' };
}
export const messages = (p: Person) => p.page.locator('.messages li.msg');
/**
 * A message by its text, not by the whole item's: that ends with the time, so
 * at 1 PM "Filler 30" followed by "01:13 PM" would also match "Filler 300".
 */
export const said = (p: Person, text: string) =>
  messages(p).filter({ has: p.page.locator('.text', { hasText: text }) });

/**
 * Picks an item of the open conversation's ⋯ menu ("More options" in its
 * header): Block, Invite people, Edit topic, Room settings, Leave room...
 */
export async function chatMenu(p: Person, item: string): Promise<void> {
  await p.page.locator('.chat-head').getByRole('button', { name: 'More options' }).click();
  await p.page
    .getByRole('menu', { name: 'More options' })
    .getByRole('menuitem', { name: item, exact: true })
    .click();
}

export async function say(p: Person, text: string): Promise<void> {
  const box = p.page.getByLabel(/^Message to/);
  await box.fill(text);
  await box.press('Enter');
}

/**
 * A refusal the test provoked on purpose: Chromium logs each failed request as
 * a console error ("... status of 403"); take exactly one such entry off, so
 * the final "no errors" check still catches every other one.
 */
export function refused(p: Person, status: number): void {
  const i = p.errors.findIndex((e) => e.includes(`status of ${status}`));
  if (i < 0)
    throw new Error(`expected a ${status} in the console, got ${JSON.stringify(p.errors)}`);
  p.errors.splice(i, 1);
}

/** The console line Chromium writes for a request the server refused. */
export const refusal = (status: string) =>
  `Failed to load resource: the server responded with a status of ${status}`;

/**
 * The end-of-test check of a page's console that cannot depend on timing:
 * every error in `provoked` is there (once per time the test asked for it), and
 * anything else is one of `tolerated` by its exact text: refusals whose number
 * depends on timing (a request in flight when the session is revoked). A page
 * error or any other console error fails.
 */
export function expectConsole(p: Person, provoked: string[], tolerated: string[] = []): void {
  const left = [...p.errors];
  for (const e of provoked) {
    const i = left.indexOf(e);
    expect(i, `expected ${JSON.stringify(e)} in ${JSON.stringify(p.errors)}`).toBeGreaterThan(-1);
    left.splice(i, 1);
  }
  expect(left.filter((e) => !tolerated.includes(e))).toEqual([]);
}

/**
 * A slow live connection: every frame the server sends over the WebSocket
 * reaches the page `ms` later (in order), so a REST answer beats the live
 * event about the same change. Takes effect at the next page load.
 */
export async function slowLive(p: Person, ms: number): Promise<void> {
  await p.page.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => void setTimeout(() => ws.send(m), ms));
    ws.onMessage((m) => server.send(m));
  });
}

/**
 * The WCAG contrast ratio of an element's text against the background it is
 * drawn on (its own, else the nearest ancestor's that is not transparent).
 */
export function contrast(l: Locator): Promise<number> {
  return l.evaluate((el) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    let bg: number[] = [255, 255, 255];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3]! > 0)) {
        bg = c;
        break;
      }
    }
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg)].sort((x, y) => y - x);
    return (a! + 0.05) / (b! + 0.05);
  });
}

/**
 * How many pixels of an element as Chromium drew it are clearly coloured (not
 * grey): a colour emoji has many, a monochrome glyph or an invisible one none.
 */
export async function colourfulPixels(p: Person, l: Locator): Promise<number> {
  const png = (await l.screenshot()).toString('base64');
  return p.page.evaluate(async (data) => {
    // From bytes, not a data: URL (the page's Content-Security-Policy refuses those).
    const bytes = Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
    const img = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(img.width, img.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      const hi = Math.max(d[i]!, d[i + 1]!, d[i + 2]!);
      const lo = Math.min(d[i]!, d[i + 1]!, d[i + 2]!);
      if (hi - lo > 80) n++;
    }
    return n;
  }, png);
}
