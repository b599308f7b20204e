/** Shapes of the native protocol's data (docs/protocol.md). */
export interface User {
  id: string;
  username: string;
  createdAt: number;
}

export interface DeviceSession {
  id: string;
  device: string;
  createdAt: number;
  lastSeenAt: number;
  lastAddress: string;
}

export interface LoginResult {
  user: User;
  session: DeviceSession;
  token: string;
}

export interface Profile {
  userId: string;
  username: string;
  displayName: string;
  birthYear: number | null;
  city: string;
  country: string;
  about: string;
  searchable: boolean;
  /** The avatar's hash (ETag of GET /users/:username/avatar), null when none or not yours to see. */
  avatar: string | null;
}

/** An avatar as PUT /me/avatar answers it. */
export interface AvatarInfo {
  hash: string;
  type: string;
  size: number;
  width: number;
  height: number;
}

export interface ProfilePatch {
  displayName?: string;
  birthYear?: number | null;
  city?: string;
  country?: string;
  about?: string;
  searchable?: boolean;
}

export interface DirectoryQuery {
  username?: string;
  name?: string;
  city?: string;
  ageMin?: number;
  ageMax?: number;
  after?: string;
  limit?: number;
}

export interface DirectoryPage {
  results: Profile[];
  next?: string;
}

/** `GET /api/v1/server`: what a client may ask before anyone signs in. */
export interface ServerInfo {
  software: 'parley';
  version: string;
  /** Who may sign up: anyone, only with an invite code, or nobody (the operator adds accounts). */
  registration: 'open' | 'invite' | 'closed';
  /** The fewest characters (code points) a new password may have (`registration.min_password_length`). */
  minPasswordLength: number;
}

export interface Me {
  user: User;
  session: { id: string; device: string };
  profile: Profile;
}

export interface ServerEvent {
  name: string;
  data: Record<string, unknown>;
}

export interface Contact {
  userId: string;
  username: string;
  displayName: string;
  /** `to`: you see their presence; `from`: they see yours. */
  subscription: 'none' | 'to' | 'from' | 'both';
  /** You asked to see their presence; they have not answered. */
  ask: boolean;
  /** They asked to see your presence; approve or deny. */
  pendingIn: boolean;
  note: string;
  alias: string;
  groups: string[];
  inRoster: boolean;
  /** You pre-approved them (XMPP "subscribed" before they asked): their request is approved at once. */
  approved: boolean;
  /** Their avatar's hash, null when none. */
  avatar: string | null;
}

export interface BlockedUser {
  userId: string;
  username: string;
  createdAt: number;
}

export type Show = 'available' | 'away' | 'dnd' | 'xa';

/** Someone's presence as you see it. */
export interface Presence {
  userId: string;
  username: string;
  show: Show | 'offline';
  status: string;
  since: number;
  lastSeen: number | null;
}

/** The status you chose for your account: every device shows it (docs/protocol.md 5.26a). */
/** The person's own privacy switches (GET/PATCH /me/privacy). */
export interface Privacy {
  showLastSeen: boolean;
  sendReceipts: boolean;
  /** Whether link previews are shown (and fetched) for this person. */
  linkPreviews: boolean;
}

/** A link's preview: text only; `image` is an https URL the client loads itself. */
export interface LinkPreview {
  url: string;
  title?: string;
  description?: string;
  image?: string;
  siteName?: string;
}

export interface ChosenPresence {
  show: Show | 'invisible';
  status: string;
  /** When it was chosen (ms); 0: never (available, no text). */
  at: number;
}

/** A direct message as you see it. `deleted` ones keep id and order, with empty text. */
export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  from: { userId: string; username: string };
  to: { userId: string; username: string };
  clientId: string;
  text: string;
  replyTo: string | null;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  reactions: { emoji: string; count: number; userIds: string[] }[];
  /** Files it carries (absent when none, and once deleted). */
  attachments?: Attachment[];
}

/** A file as a message carries it (docs/protocol.md, "Files"). */
export interface Attachment {
  id: string;
  name: string;
  size: number;
  /** Detected from the bytes by the server. */
  type: string;
  /** Images: pixels, so a client reserves the space before the picture loads. */
  width?: number;
  height?: number;
  /**
   * Images: a blurhash (https://blurha.sh, about 4x3 components) to paint at
   * width x height until the picture or its thumbnail has loaded.
   */
  blurhash?: string;
  /** `/api/v1/files/<id>`: fetch with your bearer token. */
  url: string;
  /** `/f/<id>/<secret>`: fetches without a token until the message is deleted; keep it private. */
  link: string;
}

/** An upload in progress: `offset` bytes of `size` are stored. */
export interface UploadState {
  id: string;
  name: string;
  size: number;
  offset: number;
}

export interface FileQuota {
  used: number;
  quota: number;
  maxFileBytes: number;
}

/** The answer to a send, edit, delete or reaction. `seq` is your log position for it (null: nothing changed). */
export interface MessageResult {
  message: Message;
  seq: number | null;
  duplicate: boolean;
}

export interface SyncPage {
  events: { seq: number; name: string; data: Record<string, unknown> }[];
  cursor: number;
  /** Your latest log position. */
  head: number;
  more: boolean;
}

/** Your delivered/read markers in a conversation, and theirs when they share them. */
export interface Marker {
  conversationId: string;
  with: { userId: string; username: string };
  delivered: number;
  read: number;
  unread: number;
  /** `unseen`: seqs of your messages at or below their markers that they never saw (blocked, filtered). */
  theirs?: { delivered: number; read: number; unseen?: number[] } | null;
}

/** One of your direct conversations in the list, latest activity first (`conversations.list`). */
/** The latest message of a chat, as a list of chats shows it. */
export interface MessagePreview {
  id: string;
  seq: number;
  from: { userId: string; username: string };
  /** The start of the text (at most 100 characters); '' when deleted. */
  text: string;
  truncated: boolean;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
}

export interface ConversationSummary {
  conversationId: string;
  with: { userId: string; username: string; displayName: string | null };
  /** When the latest message you can see was sent. */
  lastAt: number;
  last: MessagePreview;
  /** Your read marker. */
  read: number;
  /** Messages from them after your read marker. */
  unread: number;
  /** You have blocked them. */
  blocked: boolean;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: string;
}
