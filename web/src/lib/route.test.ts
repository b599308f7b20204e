import { describe, expect, it } from 'vitest';
import { routeOf, urlOf } from './route.js';

describe('routes', () => {
  it('round-trips every screen', () => {
    for (const r of [
      { dm: 'bob' },
      { dm: 'b.o_b-1' },
      { room: 'général' },
      { room: 'a b?c#d' },
      { browse: true },
      { pane: 'settings' },
      {},
    ])
      expect(routeOf(urlOf(r))).toEqual(r);
    expect(urlOf({ room: 'a b?c#d' })).toBe('/room/a%20b%3Fc%23d');
  });

  it('a username is case-insensitive; anything else is the start screen', () => {
    expect(routeOf('/chat/Bob')).toEqual({ dm: 'bob' });
    for (const bad of [
      '/chat/',
      '/chat/bob/more',
      '/chat/%E0%A4%A',
      '/chat/%00',
      '/chat/a%2Fb',
      `/chat/${'x'.repeat(101)}`,
      '/nowhere',
      '/room',
      '//chat/bob',
    ])
      expect(routeOf(bad), bad).toEqual({});
  });
});
