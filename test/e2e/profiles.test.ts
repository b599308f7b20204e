import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`profiles and the directory (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const year = new Date().getUTCFullYear();
    const tag = uname('d'); // keeps this file's names apart from other tests on a shared server
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function person(
      suffix: string,
      profile: Parameters<ReturnType<typeof node.client>['updateProfile']>[0],
    ) {
      const c = node.client();
      await c.register(`${tag}${suffix}`, 'password123');
      await c.updateProfile(profile);
      return c;
    }

    it('updates a profile, pushes profile.updated to the other sessions, and shows it to others', async () => {
      const c = await person('self', {});
      const other = node.client();
      await other.login(`${tag}self`, 'password123');
      const ws = await other.connect();
      const updated = ws.next('profile.updated');
      const p = await c.updateProfile({
        displayName: '  Ada Lovelace ',
        city: 'London',
        country: 'UK',
        birthYear: 1990,
        about: 'math',
      });
      expect(p).toMatchObject({
        displayName: 'Ada Lovelace',
        city: 'London',
        birthYear: 1990,
        searchable: true,
      });
      expect(((await updated).profile as { displayName: string }).displayName).toBe('Ada Lovelace');
      ws.close();

      const viewer = node.client();
      await viewer.register(`${tag}viewer`, 'password123');
      expect((await viewer.profile(`${tag.toUpperCase()}SELF`)).city).toBe('London');
      await expect(viewer.profile('no-such-person')).rejects.toMatchObject({
        condition: 'not-found',
        status: 404,
      });
    });

    it('someone who is not searchable shows strangers only their name, but sees all of their own profile', async () => {
      const owner = await person('private', {
        displayName: 'Private Person',
        city: 'Quito',
        country: 'EC',
        birthYear: 1980,
        about: 'secret',
        searchable: false,
      });
      const stranger = node.client();
      await stranger.register(`${tag}stranger`, 'password123');
      expect(await stranger.profile(`${tag}private`)).toMatchObject({
        displayName: 'Private Person',
        city: '',
        country: '',
        about: '',
        birthYear: null,
      });
      expect((await owner.me()).profile).toMatchObject({
        city: 'Quito',
        about: 'secret',
        birthYear: 1980,
      });
      expect((await stranger.search({ username: `${tag}private` })).results).toEqual([]);
    });

    it('refuses bad profile values and changes nothing', async () => {
      const c = await person('bad', { city: 'Oslo' });
      await expect(c.updateProfile({ birthYear: 1800 })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'birthYear',
      });
      await expect(c.updateProfile({ birthYear: year + 1 })).rejects.toMatchObject({
        field: 'birthYear',
      });
      await expect(c.updateProfile({ city: 'x'.repeat(65) })).rejects.toMatchObject({
        field: 'city',
      });
      await expect(
        c.updateProfile({ city: 'Bergen', about: 'y'.repeat(1025) }),
      ).rejects.toMatchObject({ field: 'about' });
      await expect(c.updateProfile({ searchable: 'yes' as never })).rejects.toMatchObject({
        field: 'searchable',
      });
      expect((await c.me()).profile.city).toBe('Oslo');
    });

    it('searches by username prefix, name, city and age range, paged, searchable only', async () => {
      await person('anna', { displayName: 'Anna Berg', city: 'Tromsø', birthYear: year - 30 });
      await person('anders', { displayName: 'Anders Lie', city: 'tromsø', birthYear: year - 45 });
      await person('annika', { displayName: 'Annika 100%', city: 'Bergen', birthYear: year - 20 });
      await person('hidden', {
        displayName: 'Anna Hidden',
        city: 'Tromsø',
        birthYear: year - 30,
        searchable: false,
      });
      const s = node.client();
      await s.register(`${tag}searcher`, 'password123');
      const names = (r: { results: { username: string }[] }) =>
        r.results.map((p) => p.username.slice(tag.length));

      expect(names(await s.search({ username: `${tag}an` }))).toEqual(['anders', 'anna', 'annika']);
      expect(names(await s.search({ username: tag, name: 'ANNA' }))).toEqual(['anna']);
      expect(names(await s.search({ username: tag, name: '100%' }))).toEqual(['annika']);
      expect(names(await s.search({ username: tag, name: '%' }))).toEqual(['annika']); // % is literal
      expect(names(await s.search({ username: tag, city: 'TROMSØ' }))).toEqual(['anders', 'anna']);
      expect(names(await s.search({ username: `${tag}an`, ageMin: 25, ageMax: 40 }))).toEqual([
        'anna',
      ]);
      expect(names(await s.search({ username: `${tag}an`, ageMin: 40 }))).toEqual(['anders']);

      const page1 = await s.search({ username: `${tag}an`, limit: 2 });
      expect(names(page1)).toEqual(['anders', 'anna']);
      expect(page1.next).toBe(`${tag}anna`);
      const page2 = await s.search({ username: `${tag}an`, limit: 2, after: page1.next! });
      expect(names(page2)).toEqual(['annika']);
      expect(page2.next).toBeUndefined();

      await expect(s.search({ limit: 51 })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'limit',
      });
      await expect(s.search({ ageMin: -1 })).rejects.toMatchObject({ field: 'ageMin' });
    });

    it('searches the same way over the WebSocket', async () => {
      const c = await person('wsuser', { displayName: 'Socket Person', city: 'Lima' });
      const ws = await c.connect();
      const r = await ws.request<{ results: { username: string }[] }>('directory.search', {
        username: tag,
        city: 'lima',
      });
      expect(r.results.map((p) => p.username)).toEqual([`${tag}wsuser`]);
      await expect(ws.request('directory.search', { city: 5 })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'city',
      });
      ws.close();
    });
  });
}
