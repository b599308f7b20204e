export interface Profile {
  userId: string;
  username: string;
  displayName: string;
  birthYear: number | null;
  city: string;
  country: string;
  about: string;
  searchable: boolean;
  /** The avatar's hash (core/profiles/avatars.ts), null when none. */
  avatar: string | null;
}

export type ProfilePatch = Partial<Omit<Profile, 'userId' | 'username' | 'avatar'>>;

export interface DirectoryQuery {
  usernamePrefix?: string;
  nameContains?: string;
  /** Case-insensitive exact match. */
  city?: string;
  birthYearMin?: number;
  birthYearMax?: number;
  excludeUserIds: readonly string[];
  /** Username to continue after (results are ordered by username). */
  after?: string;
  limit: number;
}

export interface ProfileStore {
  profile(userId: string): Promise<Profile | undefined>;
  /** Display names of `ids` that have one, in one read. */
  displayNames(ids: readonly string[]): Promise<Map<string, string>>;
  profileByUsername(username: string): Promise<Profile | undefined>;
  updateProfile(userId: string, patch: ProfilePatch): Promise<Profile | undefined>;
  /** Only searchable profiles, ordered by username. */
  search(q: DirectoryQuery): Promise<Profile[]>;
}
