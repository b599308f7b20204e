import { ParleyError } from '../errors.js';
import { except } from '../events.js';
import type { Router } from '../router.js';
import type { Profile, ProfilePatch, ProfileStore } from './store.js';

/**
 * Who has blocked whom. Blocking arrives with the contacts issue; until then the
 * directory asks this hook, whose default answers "nobody".
 */
export interface BlockLookup {
  /** Users who blocked `userId`: they never appear in that user's search results. */
  blockersOf(userId: string): Promise<readonly string[]>;
}

export const NO_BLOCKS: BlockLookup = { blockersOf: async () => [] };

export const PROFILE_LIMITS = { displayName: 64, city: 64, country: 64, about: 1024 } as const;
export const SEARCH_MAX_LIMIT = 50;

export interface DirectoryResult {
  results: Profile[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: string;
}

export interface ProfileService {
  get(userId: string): Promise<Profile>;
  /** Another user's profile; hidden from people the owner blocked. */
  view(viewerId: string, username: string): Promise<Profile>;
  update(
    userId: string,
    patch: Record<string, unknown>,
    exceptConnection?: string,
  ): Promise<Profile>;
  search(viewerId: string, q: Record<string, unknown>): Promise<DirectoryResult>;
}

function str(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string')
    throw new ParleyError('bad-request', `${field} must be a string`, { field });
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if ([...s].length > max)
    throw new ParleyError('bad-request', `${field} must be at most ${max} characters`, { field });
  return s;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ParleyError('bad-request', `${field} must be a whole number from ${min} to ${max}`, {
      field,
    });
  return v;
}

export function createProfileService(deps: {
  store: ProfileStore;
  router: Router;
  blocks?: BlockLookup;
  now?: () => number;
}): ProfileService {
  const { store, router } = deps;
  const blocks = deps.blocks ?? NO_BLOCKS;
  const year = () => new Date((deps.now ?? Date.now)()).getUTCFullYear();

  function parsePatch(raw: Record<string, unknown>): ProfilePatch {
    const p: ProfilePatch = {};
    for (const [k, v] of Object.entries(raw)) {
      switch (k) {
        case 'displayName':
        case 'city':
        case 'country':
        case 'about':
          p[k] = str(v, k, PROFILE_LIMITS[k]);
          break;
        case 'birthYear':
          p.birthYear = v === null ? null : int(v, k, 1900, year());
          break;
        case 'searchable':
          if (typeof v !== 'boolean')
            throw new ParleyError('bad-request', 'searchable must be true or false', { field: k });
          p.searchable = v;
          break;
        default:
          throw new ParleyError('bad-request', `unknown profile field "${k.slice(0, 40)}"`, {
            field: k.slice(0, 40),
          });
      }
    }
    return p;
  }

  return {
    async get(userId) {
      const p = await store.profile(userId);
      if (!p) throw new ParleyError('not-found', 'no such user');
      return p;
    },

    async view(viewerId, username) {
      // A name that cannot exist is not looked up (PostgreSQL refuses NUL bytes in text).
      if (typeof username !== 'string' || !/^[a-z0-9._-]{1,32}$/.test(username.toLowerCase()))
        throw new ParleyError('not-found', 'no such user');
      const p = await store.profileByUsername(username.toLowerCase());
      if (!p || (await blocks.blockersOf(viewerId)).includes(p.userId))
        throw new ParleyError('not-found', 'no such user');
      // Someone who opted out of the directory shows strangers only their name.
      if (!p.searchable && p.userId !== viewerId)
        return { ...p, birthYear: null, city: '', country: '', about: '' };
      return p;
    },

    async update(userId, raw, exceptConnection) {
      const patch = parsePatch(raw);
      const p = await store.updateProfile(userId, patch);
      if (!p) throw new ParleyError('not-found', 'no such user');
      if (Object.keys(patch).length)
        router.deliver(userId, except({ name: 'profile.updated', profile: p }, exceptConnection));
      return p;
    },

    async search(viewerId, q) {
      const query: Parameters<ProfileStore['search']>[0] = { excludeUserIds: [], limit: 20 };
      const y = year();
      for (const [k, v] of Object.entries(q)) {
        if (v === undefined || v === null || v === '') continue;
        switch (k) {
          case 'username':
            query.usernamePrefix = str(v, k, 32).toLowerCase();
            break;
          case 'name':
            query.nameContains = str(v, k, PROFILE_LIMITS.displayName).toLowerCase();
            break;
          case 'city':
            query.city = str(v, k, PROFILE_LIMITS.city).toLowerCase();
            break;
          case 'ageMin':
            query.birthYearMax = y - int(v, k, 0, 150);
            break;
          case 'ageMax':
            query.birthYearMin = y - int(v, k, 0, 150);
            break;
          case 'after':
            query.after = str(v, k, 32).toLowerCase();
            break;
          case 'limit':
            query.limit = int(v, k, 1, SEARCH_MAX_LIMIT);
            break;
          default:
            throw new ParleyError('bad-request', `unknown search field "${k.slice(0, 40)}"`, {
              field: k.slice(0, 40),
            });
        }
      }
      query.excludeUserIds = await blocks.blockersOf(viewerId);
      const rows = await store.search({ ...query, limit: query.limit + 1 });
      const more = rows.length > query.limit;
      const results = more ? rows.slice(0, query.limit) : rows;
      return more ? { results, next: results[results.length - 1]!.username } : { results };
    },
  };
}
