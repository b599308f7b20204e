import type { GuestService } from './accounts/guests.js';
import type { SaslService } from './accounts/sasl/service.js';
import type { AccountService } from './accounts/service.js';
import type { FastTokenService } from './accounts/tokens.js';
import type { LoginThrottle } from './accounts/throttle.js';
import type { FileService } from './files/service.js';
import type { Hooks } from './hooks.js';
import type { ContactService } from './contacts/service.js';
import type { HistoryService } from './history/service.js';
import type { ConversationService } from './conversations/service.js';
import type { MessageService } from './messages/service.js';
import type { OccupancyService } from './occupancy/service.js';
import type { PresenceService } from './presence/service.js';
import type { ReceiptService } from './receipts/service.js';
import type { ProfileService } from './profiles/service.js';
import type { AvatarService } from './profiles/avatars.js';
import type { RoomAvatarService } from './rooms/avatar.js';
import type { RoomChat } from './rooms/chat.js';
import type { RoomService } from './rooms/service.js';
import type { PrivateDataService } from './private/service.js';
import type { PepService } from './pep/service.js';
import type { PreviewService } from './previews/service.js';
import type { Feeds } from './feed.js';
import type { LiveReadiness } from './live.js';
import type { Router } from './router.js';
import type { SendService } from './send/service.js';
import type { SessionRegistry } from './sessions.js';
import type { UserDirectory } from './users.js';

/**
 * Everything a door may call. Built by main.ts; doors receive it, never build it.
 * A bag of services for now (issue 12 may narrow what each door sees).
 */
export interface Core {
  /** This process's id in the cluster (`server.node_id`, or made up at start). */
  nodeId: string;
  /** Registration, login, sessions (tokens), invites, account admin; `asSession` runs an op as a session. */
  accounts: AccountService;
  /** Display names, avatars, the user directory; per-user settings. */
  profiles: ProfileService;
  /** One picture per person, stored once, shown to whoever may see their profile. */
  avatars: AvatarService;
  /** The roster (subscriptions, consent) and blocks. */
  contacts: ContactService;
  /** Per-session presence, the aggregate over nodes, and who is told. */
  presence: PresenceService;
  /** Who is in a room right now, per session (IRC JOIN, MUC presence); not membership. */
  occupancy: OccupancyService;
  /** Direct messages, filters, search, and the per-user log (`sync`). */
  messages: MessageService;
  /** A user's direct conversations by activity (previews, unread counts). */
  conversations: ConversationService;
  /** History by position, id and time, direct and rooms alike (CHATHISTORY, MAM). */
  history: HistoryService;
  /** Delivered/read markers, receipts and typing in direct conversations. */
  receipts: ReceiptService;
  /** Rooms: creation, membership, moderation, the directory. */
  rooms: RoomService;
  /** A room's picture, set by its admins, shown to whoever may read the room. */
  roomAvatars: RoomAvatarService;
  /** What happens inside a room: messages, its timeline, markers, typing. */
  roomChat: RoomChat;
  /** One send for a user or a room target (doors call this; the rules stay in messages/rooms). */
  sender: SendService;
  /** deliver(userId, event): this node's sessions, and the bus for the others. */
  router: Router;
  /** This node's connected sessions; a door adds its sessions here. */
  sessions: SessionRegistry;
  /** Before replaying to a reconnecting client: its live subscriptions are active. */
  live: LiveReadiness;
  /** Every door's sessions receive through a feed: replay by cursors, then live, each once. */
  feeds: Feeds;
  /** Domain hooks (message stored or waiting, presence changed, member joined): `hooks.on(...)`. */
  hooks: Hooks;
  /** Who is who by id (doors naming people and rooms from ids: history targets, replays). */
  users: Pick<UserDirectory, 'usernames' | 'displayNames' | 'roomName' | 'holder'>;
  /** Login failures per account and address (used by `accounts`; no door calls it directly yet). */
  throttle: LoginThrottle;
  /**
   * SASL for the IRC and XMPP doors: PLAIN, SCRAM-SHA-1/-256 and their -PLUS variants;
   * success is what `accounts.verify` answers (a connection-scoped login).
   */
  sasl: SaslService;
  /** XEP-0484 FAST tokens: issued to a client after a login, each a device in `accounts.sessions`. */
  fast: FastTokenService;
  /** Small private values an account keeps for itself (XMPP private XML storage). */
  privateData: PrivateDataService;
  /** Personal eventing nodes beyond the profile's (XMPP PEP, XEP-0163): items and who reads them. */
  pep: PepService;
  /** Short-lived principals for doors whose users may come without an account (IRC). */
  guests: GuestService;
  /** Shared files: resumable uploads, access checks, capability links (core/files). */
  files: FileService;
  /** Link previews: a URL's title, description and image, fetched with SSRF checks (core/previews). */
  previews: PreviewService;
}
