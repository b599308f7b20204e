/** Kysely table types. Timestamps are milliseconds since the epoch; booleans are 0/1 on both engines. */
export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  disabled: number;
}

export interface ProfilesTable {
  user_id: string;
  display_name: string;
  display_name_lower: string;
  birth_year: number | null;
  city: string;
  city_lower: string;
  country: string;
  about: string;
  searchable: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  device: string;
  created_at: number;
  last_seen_at: number;
  last_address: string;
}

export interface InvitesTable {
  code: string;
  created_by: string | null;
  uses_left: number;
  expires_at: number | null;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  profiles: ProfilesTable;
  sessions: SessionsTable;
  invites: InvitesTable;
}
