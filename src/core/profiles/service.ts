import { ParleyError } from '../errors.js';
import { type CoreEvent, except, type ProfileChange } from '../events.js';
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
/** The profile's fields besides the name (`details` in `contact.profile`). */
const DETAILS = ['birthYear', 'city', 'country', 'about'] as const;

export interface DirectoryResult {
  results: Profile[];
  /** Pass as `after` to get the next page; absent on the last page. */
  next?: string;
}

/** A change to one's own profile: only the fields given change. */
export interface ProfileUpdate {
  displayName?: string;
  /** null clears it. */
  birthYear?: number | null;
  city?: string;
  country?: string;
  about?: string;
  searchable?: boolean;
}

/** A directory query; empty strings are ignored like absent fields. */
export interface DirectoryQuery {
  username?: string;
  name?: string;
  city?: string;
  ageMin?: number;
  ageMax?: number;
  /** The `next` of the previous page. */
  after?: string;
  limit?: number;
}

/** The rooms a user is in, to tell their members of a new display name (core/rooms/fanout.ts). */
export interface ProfileRooms {
  roomIdsOf(userId: string): Promise<readonly string[]>;
  roomName(roomId: string): Promise<string | undefined>;
  publish(roomId: string, event: CoreEvent): void;
}

export interface ProfileService {
  get(userId: string): Promise<Profile>;
  /** Another user's profile; hidden from people the owner blocked. */
  view(viewerId: string, username: string): Promise<Profile>;
  update(userId: string, patch: ProfileUpdate, exceptConnection?: string): Promise<Profile>;
  search(viewerId: string, q: DirectoryQuery): Promise<DirectoryResult>;
}

function str(v: string, field: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if ([...s].length > max)
    throw new ParleyError('bad-request', `${field} must be at most ${max} characters`, { field });
  return s;
}

function int(v: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max)
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
  /** Where a new display name is told to the members of one's rooms (live only). */
  rooms?: ProfileRooms;
  onError?: (err: unknown) => void;
  /** Who sees the user's presence: they keep seeing the avatar of someone who left the directory. */
  watchersOf?: (userId: string) => Promise<readonly string[]>;
  /** Tells watchers of a new display name or fields (core/profiles/avatars.ts `announce`). */
  announce?: (
    userId: string,
    changed: readonly ProfileChange[],
    exceptConnection?: string,
  ) => Promise<void>;
}): ProfileService {
  const { store, router } = deps;

  /** Live news, once per room: a member who misses it reads the name on their next lookup. */
  async function tellRooms(rooms: ProfileRooms, p: Profile): Promise<void> {
    try {
      const user = { id: p.userId, username: p.username };
      for (const roomId of await rooms.roomIdsOf(p.userId)) {
        const name = await rooms.roomName(roomId);
        if (name === undefined) continue;
        rooms.publish(roomId, {
          name: 'room.profile',
          room: { id: roomId, name },
          user,
          displayName: p.displayName,
        });
      }
    } catch (err) {
      deps.onError?.(err);
    }
  }
  const blocks = deps.blocks ?? NO_BLOCKS;
  const year = () => new Date((deps.now ?? Date.now)()).getUTCFullYear();

  function parsePatch(raw: ProfileUpdate): ProfilePatch {
    const p: ProfilePatch = {};
    // In the order given, so the first bad field is the one named.
    for (const k of Object.keys(raw) as (keyof ProfileUpdate)[]) {
      if (raw[k] === undefined) continue;
      switch (k) {
        case 'displayName':
        case 'city':
        case 'country':
        case 'about':
          p[k] = str(raw[k]!, k, PROFILE_LIMITS[k]);
          break;
        case 'birthYear': {
          const v = raw.birthYear!;
          p.birthYear = v === null ? null : int(v, k, 1900, year());
          break;
        }
        case 'searchable':
          p.searchable = raw.searchable!;
          break;
        default:
          // Only an object carrying more than its type says gets here.
          throw new ParleyError(
            'bad-request',
            `unknown profile field "${String(k).slice(0, 40)}"`,
            {
              field: String(k).slice(0, 40),
            },
          );
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
      if (!/^[a-z0-9._-]{1,32}$/.test(username.toLowerCase()))
        throw new ParleyError('not-found', 'no such user');
      const p = await store.profileByUsername(username.toLowerCase());
      if (!p || (await blocks.blockersOf(viewerId)).includes(p.userId))
        throw new ParleyError('not-found', 'no such user');
      // Someone who opted out of the directory shows strangers only their name.
      if (!p.searchable && p.userId !== viewerId) {
        const sees = (await deps.watchersOf?.(p.userId))?.includes(viewerId) === true;
        return {
          ...p,
          birthYear: null,
          city: '',
          country: '',
          about: '',
          avatar: sees ? p.avatar : null,
        };
      }
      return p;
    },

    async update(userId, raw, exceptConnection) {
      const patch = parsePatch(raw);
      const p = await store.updateProfile(userId, patch);
      if (!p) throw new ParleyError('not-found', 'no such user');
      if (Object.keys(patch).length)
        router.deliver(userId, except({ name: 'profile.updated', profile: p }, exceptConnection));
      if (patch.displayName !== undefined && deps.rooms) void tellRooms(deps.rooms, p);
      // Watchers hear of any field they may read (XMPP vCard4 notifications, XEP-0292);
      // `searchable` alone changes nothing they are shown.
      const changed: ProfileChange[] = [];
      if (patch.displayName !== undefined) changed.push('displayName');
      if (DETAILS.some((k) => patch[k] !== undefined)) changed.push('details');
      if (changed.length > 0 && deps.announce)
        void deps.announce(userId, changed).catch((err: unknown) => deps.onError?.(err));
      return p;
    },

    async search(viewerId, q) {
      const query: Parameters<ProfileStore['search']>[0] = { excludeUserIds: [], limit: 20 };
      const y = year();
      for (const k of Object.keys(q) as (keyof DirectoryQuery)[]) {
        const v = q[k];
        if (v === undefined || v === '') continue;
        switch (k) {
          case 'username':
            query.usernamePrefix = str(q[k]!, k, 32).toLowerCase();
            break;
          case 'name':
            query.nameContains = str(q[k]!, k, PROFILE_LIMITS.displayName).toLowerCase();
            break;
          case 'city':
            query.city = str(q[k]!, k, PROFILE_LIMITS.city).toLowerCase();
            break;
          case 'ageMin':
            query.birthYearMax = y - int(q[k]!, k, 0, 150);
            break;
          case 'ageMax':
            query.birthYearMin = y - int(q[k]!, k, 0, 150);
            break;
          case 'after':
            query.after = str(q[k]!, k, 32).toLowerCase();
            break;
          case 'limit':
            query.limit = int(q[k]!, k, 1, SEARCH_MAX_LIMIT);
            break;
          default:
            throw new ParleyError(
              'bad-request',
              `unknown search field "${String(k).slice(0, 40)}"`,
              {
                field: String(k).slice(0, 40),
              },
            );
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
