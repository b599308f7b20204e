import { describe, expect, it } from 'vitest';
import { seeded } from '../../../../test/helpers/random.js';
import { ROLES } from '../../../core/rooms/roles.js';
import {
  channelToRoom,
  modeOf,
  PREFIX,
  prefixOf,
  roleOfMode,
  roleOfPrefix,
  ROLE_MODES,
  roomToChannel,
} from './channel.js';

describe('channels', () => {
  it('a room is # + its name, parsed back case-insensitively', () => {
    expect(roomToChannel('tardis')).toBe('#tardis');
    expect(channelToRoom('#tardis')).toEqual({ ok: true, room: 'tardis' });
    expect(channelToRoom('#TaRdIs')).toEqual({ ok: true, room: 'tardis' });
    expect(channelToRoom('#a.b-c_1')).toEqual({ ok: true, room: 'a.b-c_1' });
    expect(channelToRoom('#' + 'x'.repeat(32))).toEqual({ ok: true, room: 'x'.repeat(32) });
  });

  it('refuses other channel types with a clear reason', () => {
    for (const c of ['&local', '+modeless', '!12345safe'])
      expect(channelToRoom(c)).toMatchObject({
        ok: false,
        reason: 'unsupported-type',
        message: expect.stringContaining('Only # channels'),
      });
  });

  it('refuses nicks, empty and bad names', () => {
    expect(channelToRoom('alice')).toMatchObject({ ok: false, reason: 'not-a-channel' });
    expect(channelToRoom('')).toMatchObject({ ok: false, reason: 'not-a-channel' });
    for (const c of [
      '#',
      '#a',
      '##tardis',
      '#tardis.',
      '#.x',
      '#-x',
      '#a b',
      '#a,b',
      '#a:b',
      '#caf\u00e9',
      '#\u212aelvin', // Kelvin sign lowercases to 'k' in Unicode, not here
      '#' + 'x'.repeat(33),
      '#x\0',
    ])
      expect(channelToRoom(c), c).toMatchObject({ ok: false, reason: 'bad-name' });
  });

  it('random input never throws; accepted channels round-trip', () => {
    const r = seeded(8);
    for (let i = 0; i < 5000; i++) {
      const c = r.string('#&+!aZ09._-: \u00e9', r.int(40));
      const p = channelToRoom(c);
      if (p.ok) expect(channelToRoom(roomToChannel(p.room))).toEqual(p);
    }
  });
});

describe('roles and modes', () => {
  it('maps every Parley role; members have no mode', () => {
    expect(ROLES.map((r) => [prefixOf(r), modeOf(r)])).toEqual([
      ['', undefined],
      ['@', 'o'],
      ['&', 'a'],
      ['~', 'q'],
    ]);
    expect(PREFIX).toBe('(qao)~&@');
    for (const { role, mode, prefix } of ROLE_MODES) {
      expect(roleOfMode(mode)).toBe(role);
      expect(roleOfPrefix(prefix)).toBe(role);
    }
    expect(roleOfMode('v')).toBeUndefined();
    expect(roleOfMode('h')).toBeUndefined();
    expect(roleOfPrefix('')).toBe('member');
    expect(roleOfPrefix('+')).toBe('member');
  });
});
