import type { GuestStore } from './guests.js';
import type { ScramCredential } from './sasl/scram.js';
import type { FastTokenStore } from './tokens.js';

/** What the accounts service needs from storage. Implemented in src/store/sql. */
export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: number;
  disabled: boolean;
  /** A guest (core/accounts/guests.ts): no password, no contacts, gone with its connection. */
  guest?: boolean;
}

export interface SessionRecord {
  id: string;
  userId: string;
  tokenHash: string;
  device: string;
  createdAt: number;
  lastSeenAt: number;
  lastAddress: string;
}

export interface InviteRecord {
  /** SHA-256 of the code (hashToken); the code itself is shown once and never stored. */
  codeHash: string;
  createdBy: string | null;
  usesLeft: number;
  expiresAt: number | null;
  createdAt: number;
}

/** Login sessions ended by one change (an operator's disable, delete or password reset). */
export interface RevocationRecord {
  id: string;
  userId: string;
  sessionIds: string[];
}

export interface AccountStore extends GuestStore, FastTokenStore {
  /**
   * Creates the user and an empty profile in one transaction. When `inviteCodeHash`
   * is given, one use of that invite is taken in the same transaction.
   * Throws ParleyError `conflict` when the username is taken and
   * `invalid-invite` when the code is unknown, used up or expired.
   * `scram`: the user's SCRAM credentials, written in the same transaction.
   */
  createUser(
    user: UserRecord,
    opts?: {
      inviteCodeHash?: string;
      now?: number;
      scram?: readonly ScramCredential[];
      /** A guest (core/accounts/guests.ts): not in the directory, gone after this time unless renewed. */
      guestExpiresAt?: number;
    },
  ): Promise<void>;
  userById(id: string): Promise<UserRecord | undefined>;
  /** Usernames of the accounts among `ids` that exist, in one read. */
  usernames(ids: readonly string[]): Promise<Map<string, string>>;
  userByUsername(username: string): Promise<UserRecord | undefined>;
  /** Users ordered by username, after the given username. */
  listUsers(opts: { after?: string; limit: number }): Promise<UserRecord[]>;
  /**
   * Replaces the password hash and, in the same transaction, every SCRAM credential
   * of the user with `scram` (none when not given): a credential of the old password
   * never outlives it.
   */
  setPasswordHash(userId: string, hash: string, scram?: readonly ScramCredential[]): Promise<void>;
  /** The user's SCRAM credentials (at most one per mechanism). */
  scramCredentials(userId: string): Promise<ScramCredential[]>;
  /**
   * Replaces the user's SCRAM credentials only while their password hash is still
   * `passwordHash` (a password change meanwhile wins); false when it was not.
   */
  upgradeScramCredentials(
    userId: string,
    passwordHash: string,
    scram: readonly ScramCredential[],
  ): Promise<boolean>;
  /**
   * A secret of this server named `name`, the same for every node and across restarts:
   * the stored one, or `fresh` stored now when there is none yet.
   */
  serverSecret(name: string, fresh: string): Promise<string>;
  setDisabled(userId: string, disabled: boolean): Promise<void>;
  /** Removes the user and everything personal: profile, sessions, SCRAM credentials. Returns false when there was no such user. */
  deleteUser(userId: string): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  sessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  sessionsOf(userId: string): Promise<SessionRecord[]>;
  touchSession(sessionId: string, at: number, address: string): Promise<void>;
  /** Deletes one session of the user (and its FAST tokens); false when it was not theirs or did not exist. */
  deleteSession(userId: string, sessionId: string): Promise<boolean>;
  /** Deletes every session of the user except `keep` (and their FAST tokens); returns the ids deleted. */
  deleteSessionsExcept(userId: string, keep: string | null): Promise<string[]>;

  /**
   * Leaves word of a revocation for nodes in other processes, timed by the
   * database's clock (so hosts' clocks need not agree); forgets records older than an hour.
   */
  noteRevocation(r: RevocationRecord): Promise<void>;
  /** Revocations noted in the last `withinMs` by the database's clock, newest first. */
  recentRevocations(withinMs: number, limit: number): Promise<RevocationRecord[]>;

  createInvite(invite: InviteRecord): Promise<void>;
  invite(codeHash: string): Promise<InviteRecord | undefined>;
  /** Invites ordered by creation, newest first. */
  listInvites(limit: number): Promise<InviteRecord[]>;
}
