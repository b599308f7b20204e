import { expect } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { type TestNode, uname } from './server.js';

/** A signed-up test user: a signed-in client, the username and the user id. */
export interface Person {
  c: ParleyClient;
  name: string;
  id: string;
}

/** `n` new accounts on `node`, each signed in on its own client. */
export async function signUp(node: TestNode, n: number, prefix = 'p'): Promise<Person[]> {
  const out: Person[] = [];
  for (let i = 0; i < n; i++) {
    const c = node.client();
    const name = uname(prefix);
    const reg = await c.register(name, 'password123');
    out.push({ c, name, id: reg.user.id });
  }
  return out;
}

/** Waits for `p` and expects it refused with `condition` (and a text matching `text`). */
export async function refusedWith(
  p: Promise<unknown>,
  condition: string,
  text?: RegExp,
): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected an error').toMatchObject({ condition });
  if (text) expect(String((err as Error).message)).toMatch(text);
}
