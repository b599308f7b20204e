import type { MessageService } from '../messages/service.js';
import type { ProfileService } from '../profiles/service.js';
import type { RoomService } from '../rooms/service.js';
import type { SendService } from '../send/service.js';
import type { GuestService } from './guests.js';

/**
 * A guest held in memory is stored before its first durable act
 * (core/accounts/guests.ts). These wrap the operations a guest can reach that
 * write something naming it (a membership, a message, a profile, a block, a
 * chosen status), so no service needs to know about held guests: each named
 * method first stores the guest its first argument (the acting user's id) names.
 */
export function storingGuestFirst<T extends object, K extends keyof T>(
  guests: Pick<GuestService, 'stored'>,
  service: T,
  methods: readonly K[],
): T {
  const out = { ...service };
  for (const k of methods) {
    const fn = service[k] as (userId: string, ...rest: unknown[]) => Promise<unknown>;
    const wrapped = async (userId: string, ...rest: unknown[]) => {
      await guests.stored(userId);
      return fn(userId, ...rest);
    };
    out[k] = wrapped as T[K];
  }
  return out;
}

type Storing = Pick<GuestService, 'stored' | 'byName'>;

/** Stores a guest held on this node under `username`, if one is (a direct message, notice or invitation names it). */
async function storeHeld(guests: Storing, username: string): Promise<void> {
  const held = guests.byName(username.toLowerCase());
  if (held) await guests.stored(held.id);
}

/**
 * Sends store the sender first, and a direct message to a guest held on this
 * node stores that guest too: the message's rows name both (guests message each
 * other directly). A guest held on another node is not found (no such nick).
 */
export function storingGuestsOfSends(guests: Storing, sender: SendService): SendService {
  return {
    async send(userId, cmd) {
      await guests.stored(userId);
      if ('user' in cmd.to) await storeHeld(guests, cmd.to.user);
      return sender.send(userId, cmd);
    },
  };
}

/**
 * A notice (never stored: an IRC client's CTCP, an XMPP headline) is looked up as a
 * direct message is, by stored users: a guest sending one, or held on this node and
 * named by one, is stored first, as for sends. The notice itself leaves no row.
 */
export function storingGuestsOfNotices(guests: Storing, messages: MessageService): MessageService {
  return {
    ...messages,
    async notice(userId, req) {
      await guests.stored(userId);
      await storeHeld(guests, req.to);
      return messages.notice(userId, req);
    },
  };
}

/**
 * A guest held on this node has the empty profile every guest starts with (a
 * guest is never in the directory); blocks still hide it from whoever it blocked
 * (it blocked no one: a block stores it).
 */
export function viewingHeldGuests(
  guests: Pick<GuestService, 'byName'>,
  profiles: ProfileService,
): ProfileService {
  return {
    ...profiles,
    async view(viewerId, username) {
      const g = guests.byName(username.toLowerCase());
      if (!g) return profiles.view(viewerId, username);
      return {
        userId: g.id,
        username: g.username,
        displayName: '',
        birthYear: null,
        city: '',
        country: '',
        about: '',
        searchable: false,
        avatar: null,
      };
    },
  };
}

/**
 * An invitation names the invited one: a guest held on this node is stored first
 * (the inviter is in the room, so stored already). One held on another node is not
 * found, as for a direct message.
 */
export function storingInvitedGuests(guests: Storing, rooms: RoomService): RoomService {
  return {
    ...rooms,
    async invite(userId, room, username) {
      await storeHeld(guests, username);
      return rooms.invite(userId, room, username);
    },
  };
}
