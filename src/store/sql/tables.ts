import type { Generated } from 'kysely';
/** Kysely table types. Timestamps are milliseconds since the epoch; booleans are 0/1 on both engines. */
export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
  disabled: number;
  /** 1 for a guest (core/accounts/guests.ts). */
  guest: Generated<number>;
}

/** SCRAM credentials (migration 0018): binary values as base64 text on both engines. */
export interface ScramCredentialsTable {
  user_id: string;
  mechanism: string;
  salt: string;
  iterations: number;
  stored_key: string;
  server_key: string;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
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

/** XEP-0484 FAST tokens (core/accounts/tokens.ts): never the token, only what derives it. */
export interface FastTokensTable {
  id: string;
  session_id: string;
  user_id: string;
  client_hash: string;
  mechanism: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  count: number;
}

export interface InvitesTable {
  code_hash: string;
  created_by: string | null;
  uses_left: number;
  expires_at: number | null;
  created_at: number;
}

export interface SessionRevocationsTable {
  id: string;
  user_id: string;
  /** JSON array of session ids. */
  session_ids: string;
  /** Milliseconds by the database's clock (every process shares it). */
  at: number;
}

export interface ContactsTable {
  owner_id: string;
  contact_id: string;
  in_roster: number;
  sub_to: number;
  sub_from: number;
  ask_out: number;
  pending_in: number;
  note_in: string;
  alias: string;
  /** JSON array of group names. */
  groups: string;
  updated_at: number;
  /** RFC 6121 3.4 pre-approval (migration 0031). */
  approved: number;
}

export interface BlocksTable {
  owner_id: string;
  blocked_id: string;
  created_at: number;
}

export interface PresenceTable {
  user_id: string;
  node_id: string;
  show: string;
  status: string;
  since: number;
  /** JSON: this node's visible sessions of the user (see core/presence, SessionPresence). */
  resources: Generated<string>;
}

/** Who is in a room right now, per session (core/occupancy). */
export interface RoomOccupantsTable {
  room_id: string;
  node_id: string;
  connection_id: string;
  user_id: string;
  resource: string;
  since: number;
}

export interface NodesTable {
  id: string;
  heartbeat_at: number;
}

/** Per-user presence facts that outlive sessions. */
export interface UserPresenceTable {
  user_id: string;
  last_seen_at: number | null;
  show_last_seen: number;
  send_receipts: number;
  /** The account's chosen status (migration 0027_web_chosen_presence). */
  chosen_show: Generated<string>;
  chosen_status: Generated<string>;
  chosen_at: Generated<number>;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  recipient_id: string;
  client_id: string;
  body: string;
  reply_to: string | null;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  visible_to_recipient: number;
  /** 0 none, 1 held by the recipient's keyword filters, 2 cleared from their filtered folder. */
  filtered: number;
  /** JSON list of the files it carries (core/files Attachment), or null. */
  attachments: string | null;
}

export interface FilesTable {
  id: string;
  sha256: string;
  name: string;
  size: number;
  type: string;
  width: number | null;
  height: number | null;
  /** Migration 0032: an image's placeholder. */
  blurhash: string | null;
  uploader_id: string;
  conversation_id: string;
  created_at: number;
  token: string;
  client_id: string | null;
  claimed_at: number | null;
}

export interface FileUploadsTable {
  id: string;
  uploader_id: string;
  conversation_id: string;
  name: string;
  size: number;
  received: number;
  created_at: number;
  updated_at: number;
}

export interface FiltersTable {
  user_id: string;
  phrase: string;
  phrase_lower: string;
  created_at: number;
}

export interface ReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: number;
}

export interface UserLogTable {
  user_id: string;
  seq: number;
  at: number;
  name: string;
  message_id: string | null;
  /** JSON of the event's data. */
  data: string;
}

export interface MarkersTable {
  user_id: string;
  conversation_id: string;
  delivered: number;
  read: number;
  updated_at: number;
}

export interface RoomsTable {
  id: string;
  name: string;
  topic: string;
  topic_by: string | null;
  topic_at: number | null;
  topic_locked: number;
  visibility: string;
  created_at: number;
  created_by: string | null;
  head: number;
  last_at: number;
  public_since: number;
  /** The picture's public hash (room_avatars.sha1, migration 0041), null when none. */
  avatar: string | null;
}

export interface RoomMembersTable {
  room_id: string;
  user_id: string;
  role: string;
  muted: number;
  notify: string;
  joined_at: number;
  history_from: number;
}

export interface RoomBansTable {
  room_id: string;
  user_id: string;
  by_id: string | null;
  reason: string;
  expires_at: number | null;
  created_at: number;
}

export interface RoomInvitesTable {
  room_id: string;
  user_id: string;
  by_id: string | null;
  created_at: number;
}

export interface RoomEventsTable {
  room_id: string;
  seq: number;
  at: number;
  name: string;
  actor_id: string | null;
  message_id: string | null;
  /** JSON of the event's data. */
  data: string;
}

export interface MentionsTable {
  message_id: string;
  user_id: string;
  conversation_id: string;
  seq: number;
}

/** A person's view of one direct conversation: its latest message they can see. */
export interface ConversationsTable {
  user_id: string;
  conversation_id: string;
  other_id: string;
  last_seq: number;
  last_at: number;
}

/** Guests (core/accounts/guests.ts): their user rows expire unless renewed. */
export interface GuestsTable {
  user_id: string;
  expires_at: number;
}

export interface PrivateDataTable {
  user_id: string;
  key: string;
  value: string;
  updated_at: number;
}

/** A personal eventing node and its last item (migration 0044, core/pep). */
export interface PepNodesTable {
  user_id: string;
  node: string;
  access: string;
  item_id: string | null;
  payload: string | null;
  updated_at: number;
}

/** A person's avatar (migration 0031): its blob by sha256, its public hash sha1. */
export interface AvatarsTable {
  user_id: string;
  sha256: string;
  sha1: string;
  type: string;
  size: number;
  width: number;
  height: number;
  updated_at: number;
}

/** A room's picture (migration 0041): as AvatarsTable, one per room. */
export interface RoomAvatarsTable {
  room_id: string;
  sha256: string;
  sha1: string;
  type: string;
  size: number;
  width: number;
  height: number;
  updated_at: number;
}

/** Link previews (migration 0038): cached answers and failures by URL. */
export interface LinkPreviewsTable {
  url: string;
  data: string | null;
  error: string | null;
  fetched_at: number;
  expires_at: number;
}

export interface LinkPreviewSettingsTable {
  user_id: string;
  enabled: number;
}

export interface Database {
  avatars: AvatarsTable;
  room_avatars: RoomAvatarsTable;
  conversations: ConversationsTable;
  rooms: RoomsTable;
  room_members: RoomMembersTable;
  room_bans: RoomBansTable;
  room_invites: RoomInvitesTable;
  room_events: RoomEventsTable;
  mentions: MentionsTable;
  filters: FiltersTable;
  markers: MarkersTable;
  messages: MessagesTable;
  reactions: ReactionsTable;
  user_log: UserLogTable;
  presence: PresenceTable;
  nodes: NodesTable;
  room_occupants: RoomOccupantsTable;
  user_presence: UserPresenceTable;
  contacts: ContactsTable;
  blocks: BlocksTable;
  users: UsersTable;
  scram_credentials: ScramCredentialsTable;
  server_secrets: ServerSecretsTable;
  profiles: ProfilesTable;
  sessions: SessionsTable;
  fast_tokens: FastTokensTable;
  invites: InvitesTable;
  session_revocations: SessionRevocationsTable;
  guests: GuestsTable;
  private_data: PrivateDataTable;
  pep_nodes: PepNodesTable;
  files: FilesTable;
  file_uploads: FileUploadsTable;
  link_previews: LinkPreviewsTable;
  link_preview_settings: LinkPreviewSettingsTable;
}
