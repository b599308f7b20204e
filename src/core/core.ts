import type { AccountService } from './accounts/service.js';
import type { LoginThrottle } from './accounts/throttle.js';
import type { ContactService } from './contacts/service.js';
import type { HistoryService } from './history/service.js';
import type { ConversationService } from './conversations/service.js';
import type { MessageService } from './messages/service.js';
import type { OccupancyService } from './occupancy/service.js';
import type { PresenceService } from './presence/service.js';
import type { ReceiptService } from './receipts/service.js';
import type { ProfileService } from './profiles/service.js';
import type { RoomChat } from './rooms/chat.js';
import type { RoomService } from './rooms/service.js';
import type { Feeds } from './feed.js';
import type { LiveReadiness } from './live.js';
import type { Router } from './router.js';
import type { SessionRegistry } from './sessions.js';

/** Everything a door may call. Built by main.ts; doors receive it, never build it. */
export interface Core {
  nodeId: string;
  accounts: AccountService;
  profiles: ProfileService;
  contacts: ContactService;
  presence: PresenceService;
  /** Who is in a room right now, per session (IRC JOIN, MUC presence); not membership. */
  occupancy: OccupancyService;
  messages: MessageService;
  conversations: ConversationService;
  /** History by position, id and time, direct and rooms alike (CHATHISTORY, MAM). */
  history: HistoryService;
  receipts: ReceiptService;
  rooms: RoomService;
  roomChat: RoomChat;
  router: Router;
  sessions: SessionRegistry;
  /** Before replaying to a reconnecting client: its live subscriptions are active. */
  live: LiveReadiness;
  /** Every door's sessions receive through a feed: replay by cursors, then live, each once. */
  feeds: Feeds;
  throttle: LoginThrottle;
}
