import { describe, expect, it } from 'vitest';
import { ParleyError } from '../core/errors.js';
import { createStoreHealth, isConnectionFailure, storeErrorText } from './health.js';

describe('store health', () => {
  it('knows a connection failure from a query error', () => {
    const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    for (const e of [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(
        new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], ''),
        {},
      ),
    ])
      expect(isConnectionFailure(e), String(e)).toBe(true);
    for (const e of [
      withCode('23505', 'duplicate key'),
      withCode('42P01', 'relation does not exist'),
      withCode('28P01', 'password authentication failed'),
      withCode('SQLITE_BUSY'),
      new Error('boom'),
      undefined,
    ])
      expect(isConnectionFailure(e), String(e)).toBe(false);
  });

  it('turns a connection failure into unavailable, once per outage, and back', () => {
    const events: string[] = [];
    const h = createStoreHealth({
      onDown: (err) => events.push(`down: ${storeErrorText(err)}`),
      onUp: () => events.push('up'),
    });
    const query = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(h.failed(query)).toBe(query);
    expect(h.up).toBe(true);
    const before = Date.now() - 1;
    const e = h.failed(new Error('Connection terminated unexpectedly'));
    expect(e).toBeInstanceOf(ParleyError);
    expect(e).toMatchObject({ condition: 'unavailable', retryAfter: 1 });
    // The client is told nothing of the driver; the log is told through the cause.
    expect((e as Error).message).not.toMatch(/terminated/);
    expect(storeErrorText(e)).toBe('Connection terminated unexpectedly');
    h.failed(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    expect(h.up).toBe(false);
    // A query that began before the outage proves nothing.
    h.succeeded(before);
    expect(h.up).toBe(false);
    h.succeeded();
    expect(h.up).toBe(true);
    expect(events).toEqual(['down: Connection terminated unexpectedly', 'up']);
    h.close();
  });
});
