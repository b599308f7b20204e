import type { AccountStore } from './accounts/store.js';
import type { ContactStore } from './contacts/store.js';
import type { ConversationStore } from './conversations/store.js';
import type { HistoryStore } from './history/store.js';
import type { FileStore } from './files/store.js';
import type { FilterStore, MessageStore } from './messages/store.js';
import type { OccupancyStore } from './occupancy/store.js';
import type { PresenceStore } from './presence/store.js';
import type { MarkerStore } from './receipts/store.js';
import type { ProfileStore } from './profiles/store.js';
import type { AvatarStore } from './profiles/avatars.js';
import type { RoomStore } from './rooms/store.js';
import type { PrivateStore } from './private/store.js';
import type { PepStore } from './pep/store.js';
import type { PreviewStore } from './previews/store.js';

/** Every store interface core needs, from one backend. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  accounts: AccountStore;
  profiles: ProfileStore;
  contacts: ContactStore;
  presence: PresenceStore;
  occupancy: OccupancyStore;
  messages: MessageStore;
  filters: FilterStore;
  markers: MarkerStore;
  conversations: ConversationStore;
  history: HistoryStore;
  rooms: RoomStore;
  /** Private per-account values (XEP-0049). */
  privateData: PrivateStore;
  /** XMPP PEP nodes beyond the profile's, with their last items (core/pep). */
  pep: PepStore;
  /** Shared files and uploads in progress (core/files). */
  files: FileStore;
  /** One avatar per account, its bytes in the files' blob store (core/profiles/avatars.ts). */
  avatars: AvatarStore;
  /** Cached link previews and who switched them off (core/previews). */
  previews: PreviewStore;
  /** Throws when the database cannot be reached (readyz, doctor). */
  check(): Promise<void>;
  close(): Promise<void>;
}
