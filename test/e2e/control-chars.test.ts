import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPS } from '../../src/doors/native/ops.js';
import type { FieldType } from '../../src/doors/native/json.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Every string field of every operation, generated from the operations table (so
 * a new operation is covered without a new line here): a NUL, and an escape
 * character, is refused with `bad-request` naming that field, on every backend
 * (PostgreSQL once answered a NUL with a 500). Free-text fields keep their tabs
 * and line breaks.
 */

const PASSWORD = 'correct horse battery';

const filler = (t: FieldType): unknown =>
  t.startsWith('number') ? 1 : t.startsWith('boolean') ? true : t === 'any?' ? undefined : 'a';

function frameWith(shape: Record<string, FieldType>, target: string, value: string) {
  const data: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(shape)) {
    const v = k === target ? value : filler(t);
    if (v !== undefined) data[k] = v;
  }
  return data;
}

const stringFields = Object.entries(OPS).flatMap(([op, { shape }]) =>
  Object.entries(shape)
    .filter(
      ([, t]) => t.startsWith('string') || t.startsWith('prose') || t === 'text' || t === 'any?',
    )
    .map(([field]) => [op, field, shape, OPS[op]!.auth] as const),
);

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`control characters in every operation (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let conn: ParleyConnection;
    /** Signing up and in are asked before authenticating. */
    let anon: ParleyConnection;

    beforeAll(async () => {
      node = await startSingle(backend, {
        limits: {
          requests_per_minute_per_address: 1_000_000,
        },
        native: {
          frame_burst: 100_000,
          frames_per_second: 100_000,
          bad_frames_before_close: 100_000,
        },
      });
      const c = node.client();
      await c.register(uname('ctl'), PASSWORD);
      conn = await c.connect();
      anon = await node.client().connect({ authenticate: false });
    });
    afterAll(async () => {
      conn?.close();
      anon?.close();
      await node?.dispose();
    });

    it('covers every string field of the table', () => {
      expect(stringFields.length).toBeGreaterThan(60);
    });

    it.each(['a\u0000b', '\u0000', 'a\u001bb', '\u0007'])(
      'a string holding %j is refused naming the field',
      async (bad) => {
        for (const [op, field, shape, auth] of stringFields) {
          const err = await (auth ? conn : anon).request(op, frameWith(shape, field, bad)).then(
            () => undefined,
            (e: unknown) => e,
          );
          const what = `${op}.${field}`;
          expect(err, what).toMatchObject({ condition: 'bad-request', field });
        }
        expect(await conn.request('ping')).toMatchObject({ time: expect.any(Number) });
      },
    );

    it('free text keeps tabs and line breaks', async () => {
      await conn.request('profile.update', { about: 'line one\n\tline two\r\n' });
      const me = (await conn.request('me.get', {})) as { profile: { about: string } };
      expect(me.profile.about).toContain('line one\n\tline two');
    });
  });
}
