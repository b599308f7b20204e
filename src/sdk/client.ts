import { ParleyConnection, type WebSocketFactory } from './connection.js';
import { fromWire, ParleyApiError } from './errors.js';
import { FilesApi } from './files.js';
import { RoomsApi } from './rooms.js';
import type {
  AvatarInfo,
  ChosenPresence,
  BlockedUser,
  Contact,
  ConversationPage,
  Marker,
  Message,
  MessageResult,
  Presence,
  ServerEvent,
  SyncPage,
  DeviceSession,
  DirectoryPage,
  DirectoryQuery,
  LoginResult,
  Me,
  Profile,
  ServerInfo,
  ProfilePatch,
  LinkPreview,
  Privacy,
} from './types.js';

export interface ClientOptions {
  /** e.g. http://localhost:8080 */
  baseUrl: string;
  token?: string;
  /** How to open a WebSocket; defaults to the global WebSocket (browsers, Node 22+). */
  webSocket?: WebSocketFactory;
}

/**
 * The Parley client SDK: REST calls for accounts and lookups, and `connect()`
 * for the live WebSocket. Written against docs/protocol.md only.
 */
export class ParleyClient {
  readonly baseUrl: string;
  token: string | undefined;
  private readonly factory: WebSocketFactory | undefined;
  /** Rooms over REST (create, join, moderate, send, history...). */
  readonly rooms: RoomsApi;
  /** Uploads, file bytes, your quota. */
  readonly files: FilesApi;

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.factory = opts.webSocket;
    this.rooms = new RoomsApi(
      (method, path, body, query) => this.call(method, path, body, query),
      (method, path, body) => this.raw(method, path, body),
    );
    this.files = new FilesApi(
      (method, path, body) => this.call(method, path, body),
      () => ({ baseUrl: this.baseUrl, token: this.token }),
    );
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, unknown>,
  ): Promise<T> {
    let url = `${this.baseUrl}/api/v1${path}`;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query))
        if (v !== undefined && v !== null) qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new ParleyApiError(
        'unavailable',
        `cannot reach ${this.baseUrl}: ${(err as Error).message}`,
      );
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: handled below */
    }
    if (!res.ok) throw fromWire((json as { error?: never } | undefined)?.error, res.status);
    return json as T;
  }

  /** About the server, before signing in: its version and who may sign up. */
  server(): Promise<ServerInfo> {
    return this.call('GET', '/server');
  }

  async register(
    username: string,
    password: string,
    opts: { invite?: string; device?: string } = {},
  ): Promise<LoginResult> {
    const r = await this.call<LoginResult>('POST', '/accounts', { username, password, ...opts });
    this.token = r.token;
    return r;
  }

  async login(username: string, password: string, device?: string): Promise<LoginResult> {
    const r = await this.call<LoginResult>('POST', '/sessions', {
      username,
      password,
      ...(device ? { device } : {}),
    });
    this.token = r.token;
    return r;
  }

  me(): Promise<Me> {
    return this.call('GET', '/me');
  }

  async updateProfile(patch: ProfilePatch): Promise<Profile> {
    return (await this.call<{ profile: Profile }>('PATCH', '/me/profile', patch)).profile;
  }

  async profile(username: string): Promise<Profile> {
    return (await this.call<{ profile: Profile }>('GET', `/users/${encodeURIComponent(username)}`))
      .profile;
  }

  /** Sets your avatar: PNG, JPEG, WebP or GIF bytes (docs/protocol.md, "Avatars"). */
  async setAvatar(data: Blob | Uint8Array): Promise<AvatarInfo> {
    const res = await this.raw('PUT', '/me/avatar', data);
    return ((await res.json()) as { avatar: AvatarInfo }).avatar;
  }

  async removeAvatar(): Promise<void> {
    await this.raw('DELETE', '/me/avatar');
  }

  /** Someone's avatar as bytes (a Blob), or undefined when they have none you may see. */
  async avatar(username: string): Promise<Blob | undefined> {
    try {
      return await (await this.raw('GET', `/users/${encodeURIComponent(username)}/avatar`)).blob();
    } catch (err) {
      if (err instanceof ParleyApiError && err.condition === 'not-found') return undefined;
      throw err;
    }
  }

  /** A request with a raw body (or none); errors as `call`'s. */
  private async raw(method: string, path: string, body?: Blob | Uint8Array): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined)
      headers['content-type'] =
        body instanceof Uint8Array
          ? 'application/octet-stream'
          : body.type || 'application/octet-stream';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: body as RequestInit['body'] } : {}),
      });
    } catch (err) {
      throw new ParleyApiError(
        'unavailable',
        `cannot reach ${this.baseUrl}: ${(err as Error).message}`,
      );
    }
    if (!res.ok) {
      const json = (await res.json().catch(() => undefined)) as { error?: never } | undefined;
      throw fromWire(json?.error, res.status);
    }
    return res;
  }

  search(q: DirectoryQuery): Promise<DirectoryPage> {
    return this.call('GET', '/directory', undefined, q as Record<string, unknown>);
  }

  sessions(): Promise<{ sessions: DeviceSession[]; current: string }> {
    return this.call('GET', '/sessions');
  }

  /** Signs out every device but this one; resolves with how many were signed out. */
  async revokeOtherSessions(): Promise<number> {
    return (await this.call<{ revoked: number }>('DELETE', '/sessions/others')).revoked;
  }

  async revokeSession(id: string): Promise<void> {
    await this.call('DELETE', `/sessions/${encodeURIComponent(id)}`);
  }

  async logout(): Promise<void> {
    await this.call('DELETE', '/sessions/current');
    this.token = undefined;
  }

  async changePassword(oldPassword: string, newPassword: string): Promise<void> {
    await this.call('POST', '/me/password', { oldPassword, newPassword });
  }

  async deleteAccount(password: string): Promise<void> {
    await this.call('DELETE', '/me', { password });
    this.token = undefined;
  }

  async contacts(): Promise<Contact[]> {
    return (await this.call<{ contacts: Contact[] }>('GET', '/contacts')).contacts;
  }

  /** Ask to see someone's presence (they approve or deny). */
  async requestContact(username: string, note?: string): Promise<Contact> {
    return (
      await this.call<{ contact: Contact }>('POST', '/contacts', {
        username,
        ...(note !== undefined ? { note } : {}),
      })
    ).contact;
  }

  /** Let them see your presence; `mutual` (default true) also shares theirs with you. */
  async approveContact(username: string, mutual?: boolean): Promise<Contact> {
    const path = `/contacts/${encodeURIComponent(username)}/approve`;
    return (
      await this.call<{ contact: Contact }>('POST', path, mutual === undefined ? {} : { mutual })
    ).contact;
  }

  /** Refuse their request, or stop them seeing your presence. */
  async denyContact(username: string): Promise<Contact | null> {
    return (
      await this.call<{ contact: Contact | null }>(
        'POST',
        `/contacts/${encodeURIComponent(username)}/deny`,
      )
    ).contact;
  }

  /** Withdraw your request, or stop seeing their presence. */
  async cancelContact(username: string): Promise<Contact | null> {
    return (
      await this.call<{ contact: Contact | null }>(
        'POST',
        `/contacts/${encodeURIComponent(username)}/cancel`,
      )
    ).contact;
  }

  async updateContact(
    username: string,
    patch: { alias?: string; groups?: string[] },
  ): Promise<Contact> {
    return (
      await this.call<{ contact: Contact }>(
        'PATCH',
        `/contacts/${encodeURIComponent(username)}`,
        patch,
      )
    ).contact;
  }

  async removeContact(username: string): Promise<void> {
    await this.call('DELETE', `/contacts/${encodeURIComponent(username)}`);
  }

  async blocked(): Promise<BlockedUser[]> {
    return (await this.call<{ blocked: BlockedUser[] }>('GET', '/blocks')).blocked;
  }

  async block(username: string): Promise<void> {
    await this.call('PUT', `/blocks/${encodeURIComponent(username)}`);
  }

  async unblock(username: string): Promise<void> {
    await this.call('DELETE', `/blocks/${encodeURIComponent(username)}`);
  }

  /** The presence of everyone whose presence you may see. */
  async presence(): Promise<Presence[]> {
    return (await this.call<{ contacts: Presence[] }>('GET', '/presence')).contacts;
  }

  /** The status chosen for your account (every device follows it). */
  async chosenPresence(): Promise<ChosenPresence> {
    return (await this.call<{ chosen: ChosenPresence }>('GET', '/me/presence')).chosen;
  }

  /** Chooses your account's status for every device; resolves with it and what watchers now see. */
  async choosePresence(
    show: ChosenPresence['show'],
    status?: string,
  ): Promise<{ chosen: ChosenPresence; presence: Presence }> {
    return this.call('PUT', '/me/presence', status === undefined ? { show } : { show, status });
  }

  async privacy(): Promise<Privacy> {
    return this.call('GET', '/me/privacy');
  }

  async updatePrivacy(patch: Partial<Privacy>): Promise<Privacy> {
    return this.call('PATCH', '/me/privacy', patch);
  }

  /** A link's preview, fetched by the server (docs/protocol.md, "Link previews"). */
  async linkPreview(url: string): Promise<LinkPreview> {
    return this.call('GET', `/previews?url=${encodeURIComponent(url)}`);
  }

  /** Sends a direct message. Reuse `clientId` when retrying: the server answers with the same message. */
  sendMessage(
    to: string,
    text: string,
    clientId: string,
    replyTo?: string,
    /** File ids from `files.upload` into this conversation. */
    attachments?: string[],
  ): Promise<MessageResult> {
    return this.call('POST', '/messages', {
      to,
      text,
      clientId,
      ...(replyTo ? { replyTo } : {}),
      ...(attachments?.length ? { attachments } : {}),
    });
  }

  editMessage(id: string, text: string): Promise<MessageResult> {
    return this.call('PATCH', `/messages/${encodeURIComponent(id)}`, { text });
  }

  deleteMessage(id: string): Promise<MessageResult> {
    return this.call('DELETE', `/messages/${encodeURIComponent(id)}`);
  }

  react(id: string, emoji: string, on = true): Promise<MessageResult> {
    return this.call('POST', `/messages/${encodeURIComponent(id)}/reactions`, { emoji, on });
  }

  /** Your direct conversations, latest activity first, with unread counts; pass `next` as `before` for more. */
  conversations(page: { before?: string; limit?: number } = {}): Promise<ConversationPage> {
    return this.call('GET', '/conversations', undefined, page);
  }

  /** A page of your conversation with someone, oldest first. */
  history(
    withUser: string,
    page: { before?: number; after?: number; limit?: number } = {},
  ): Promise<{ messages: Message[]; more: boolean }> {
    return this.call(
      'GET',
      `/conversations/${encodeURIComponent(withUser)}/messages`,
      undefined,
      page,
    );
  }

  /** Your markers in the conversation with `withUser`, and theirs (`theirs`) when they share them. */
  async markers(withUser: string): Promise<Marker> {
    return (
      await this.call<{ marker: Marker }>(
        'GET',
        `/conversations/${encodeURIComponent(withUser)}/markers`,
      )
    ).marker;
  }

  /**
   * Full-text search over your conversations, newest first. Snippets mark matches
   * with U+0002 ... U+0003; pass `next` as `before` for the following page.
   */
  searchMessages(
    q: string,
    opts: { with?: string; before?: string; limit?: number } = {},
  ): Promise<{ results: { message: Message; snippet: string }[]; next?: string }> {
    return this.call('GET', '/search', undefined, { q, ...opts });
  }

  async filters(): Promise<string[]> {
    return (await this.call<{ filters: string[] }>('GET', '/filters')).filters;
  }

  /** Messages with this word or phrase (whole words, any case) go to your filtered folder. */
  async addFilter(phrase: string): Promise<string[]> {
    return (await this.call<{ filters: string[] }>('POST', '/filters', { phrase })).filters;
  }

  async removeFilter(phrase: string): Promise<string[]> {
    return (await this.call<{ filters: string[] }>('DELETE', '/filters', { phrase })).filters;
  }

  /** Your filtered folder, newest first. */
  filtered(
    page: { before?: string; limit?: number } = {},
  ): Promise<{ messages: Message[]; next?: string }> {
    return this.call('GET', '/filtered', undefined, page);
  }

  /** Moves a filtered message into its conversation. */
  release(id: string): Promise<MessageResult> {
    return this.call('POST', `/filtered/${encodeURIComponent(id)}/release`);
  }

  /** Removes a message from your filtered folder (it stays out of the conversation). */
  async clearFiltered(id: string): Promise<void> {
    await this.call('DELETE', `/filtered/${encodeURIComponent(id)}`);
  }

  /** Everything logged for you after `after`, in order. */
  sync(after: number, limit?: number): Promise<SyncPage> {
    return this.call('GET', '/sync', undefined, { after, limit });
  }

  /** Opens the WebSocket and authenticates it with the current token. */
  /** With `cursor`, the server first replays what you missed after it, then sends `sync.done`, then live events. */
  /** `rooms` (room name -> last roomSeq seen) replays those rooms' timelines too, before `sync.done`. */
  connect(
    opts: {
      authenticate?: boolean;
      cursor?: number;
      rooms?: Record<string, number>;
      onEvent?: (e: ServerEvent) => void;
    } = {},
  ): Promise<ParleyConnection> {
    const factory =
      this.factory ??
      ((url: string) => {
        const WS = (globalThis as unknown as { WebSocket?: new (u: string) => never }).WebSocket;
        if (!WS) throw new Error('no global WebSocket: pass ClientOptions.webSocket');
        return new WS(url);
      });
    const wsUrl = `${this.baseUrl.replace(/^http/, 'ws')}/api/v1/ws`;
    return ParleyConnection.open(
      wsUrl,
      opts.authenticate === false ? undefined : this.token,
      factory,
      opts.cursor,
      opts.onEvent,
      opts.rooms,
    );
  }
}
