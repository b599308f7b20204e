/**
 * One side of a contact relation, as RFC 6121 roster items: `subTo` = the owner
 * receives the contact's presence, `subFrom` = the contact receives the owner's;
 * `askOut` = the owner asked for subTo and waits; `pendingIn` = the contact asked
 * for subFrom and waits for the owner. `inRoster` = the owner keeps this contact
 * in their list (a stranger's request alone does not put them there).
 */
export interface ContactRow {
  ownerId: string;
  contactId: string;
  inRoster: boolean;
  subTo: boolean;
  subFrom: boolean;
  askOut: boolean;
  pendingIn: boolean;
  /** The contact's note with their pending request. */
  noteIn: string;
  alias: string;
  groups: string[];
  updatedAt: number;
  /** The owner let the contact see their presence before being asked (RFC 6121 3.4). */
  approved: boolean;
}

export interface ContactStore {
  /**
   * Reads both sides of the relation between a and b, lets `change` decide their
   * new state, and writes it, all in one transaction with both rows locked, so
   * two people acting on each other at once cannot interleave. `null` deletes.
   */
  changePair<T>(
    a: string,
    b: string,
    change: (
      ab: ContactRow | undefined,
      ba: ContactRow | undefined,
    ) => { ab: ContactRow | null; ba: ContactRow | null; result: T },
  ): Promise<T>;
  /** The owner's rows, ordered by the contact's username. */
  contactsOf(
    ownerId: string,
  ): Promise<(ContactRow & { username: string; displayName: string; avatar: string | null })[]>;

  block(ownerId: string, blockedId: string, at: number): Promise<boolean>;
  unblock(ownerId: string, blockedId: string): Promise<boolean>;
  blocked(ownerId: string): Promise<{ userId: string; username: string; createdAt: number }[]>;
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  /** Users who blocked `userId`. */
  blockersOf(userId: string): Promise<string[]>;
}
