import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { createLocalBus } from './bus/local.js';
import { createNatsBus } from './bus/nats.js';
import { configWarnings } from './config/load.js';
import type { Config } from './config/schema.js';
import { closeRevokedSessions, watchRevocations } from './core/accounts/revocation.js';
import { createGuestService } from './core/accounts/guests.js';
import {
  storingGuestFirst,
  storingGuestsOfNotices,
  storingGuestsOfSends,
  storingInvitedGuests,
  viewingHeldGuests,
} from './core/accounts/guest-acts.js';
import { createSaslService } from './core/accounts/sasl/service.js';
import { createAccountService } from './core/accounts/service.js';
import { createFastTokenService } from './core/accounts/tokens.js';
import { createLoginThrottle } from './core/accounts/throttle.js';
import type { Bus } from './core/bus.js';
import type { Core } from './core/core.js';
import { newId } from './core/ids.js';
import { perAddress } from './core/limits/address.js';
import { createRateLimiter } from './core/limits/rate.js';
import { createContactService } from './core/contacts/service.js';
import { createHistoryReader, createHistoryService } from './core/history/service.js';
import { createPrivateDataService } from './core/private/service.js';
import { createPepService } from './core/pep/service.js';
import { createMessageService } from './core/messages/service.js';
import { createOccupancyService } from './core/occupancy/service.js';
import { createPresenceService } from './core/presence/service.js';
import { createReceiptService } from './core/receipts/service.js';
import { createConversationService } from './core/conversations/service.js';
import { createProfileService } from './core/profiles/service.js';
import { createAvatarService } from './core/profiles/avatars.js';
import { createPictures } from './core/files/pictures.js';
import { createRoomAvatars } from './core/rooms/avatar.js';
import { createRoomChat } from './core/rooms/chat.js';
import { createFeeds } from './core/feed.js';
import { createDiskBlobStore, createDiskStaging } from './core/files/disk.js';
import { createFileService } from './core/files/service.js';
import { createS3BlobStore } from './blobs/s3.js';
import { s3OptionsFrom } from './blobs/s3-client.js';
import { createClamdScanner } from './media/clamd.js';
import { createBusRecovery } from './core/recovery.js';
import { createHooks } from './core/hooks.js';
import { createSendService } from './core/send/service.js';
import { createLiveReadiness } from './core/live.js';
import { createRoomFanout } from './core/rooms/fanout.js';
import { createRoomService } from './core/rooms/service.js';
import { createRouter } from './core/router.js';
import { createSessionRegistry } from './core/sessions.js';
import { createUserDirectory } from './core/users.js';
import type { Store } from './core/store.js';
import { createArgon2Hasher } from './crypto/argon2.js';
import type { Door } from './core/door.js';
import { createNativeDoor, type NativeDoor } from './doors/http/door.js';
import { createIrcDoor } from './doors/irc/door.js';
import { createXmppDoor } from './doors/xmpp/door.js';
import { type Certificates, createCertificates } from './doors/tls/certificates.js';
import type { HttpDoor, Readiness } from './doors/http/server.js';
import { createSharpImages } from './media/sharp.js';
import { createHttpFetcher } from './outbound/http-fetcher.js';
import { createPreviewService } from './core/previews/service.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { describeStore, openStore } from './store/open.js';
import {
  createStoreHealth,
  isConnectionFailure,
  storeErrorText,
  type StoreHealth,
} from './store/health.js';

export interface Parley {
  core: Core;
  store: Store;
  bus: Bus;
  /** The native door's HTTP server (REST, WebSocket, web client). */
  http: HttpDoor;
  /** Every door, in start order. */
  doors: readonly Door[];
  logger: Logger;
  /** Starts every door; resolves to the native door's bound port (useful with port 0). */
  listen(): Promise<number>;
  /** Graceful stop: drain every door (refuse new work, close clients), stop them, close the store. */
  stop(): Promise<void>;
  /**
   * The TLS certificate the IRC and XMPP doors share (src/doors/tls): loaded or
   * generated on first use, so a server without a TLS door makes none.
   */
  certificates(): Promise<Certificates>;
  /** SIGHUP: reread what can change without a restart (the TLS certificate, if in use). */
  reload(): Promise<void>;
}

/** The server could not start because a service it needs failed; `parley doctor` checks them all. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export interface ParleyOverrides {
  /** Use this bus instead of the one the config names (tests share a local hub). */
  bus?: Bus;
  logger?: Logger;
  /** More doors, started after the built-in ones (tests; later, plugins). */
  doors?: (core: Core) => Door[];
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } });
}

/** The composition root: config -> store -> bus -> core -> doors (DESIGN.md). */
export async function createParley(
  config: Config,
  overrides: ParleyOverrides = {},
): Promise<Parley> {
  const logger = overrides.logger ?? createLogger(config.log.level);
  const nodeId = config.server.node_id || `${hostname()}-${newId().slice(-6)}`;
  for (const w of configWarnings(config)) logger.warn(w);

  const metrics = createMetrics();
  const storeOptions = {
    url: config.database.url,
    dataDir: config.data.dir,
    poolSize: config.database.pool_size,
    health: watchStore(logger, metrics),
    ...(config.database.schema ? { schema: config.database.schema } : {}),
  };
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(storeOptions);
  } catch (err) {
    // A driver's bare "connect ECONNREFUSED 127.0.0.1:5432" does not say which service failed.
    const { kind, where } = describeStore(storeOptions);
    throw new StartupError(`cannot open the ${kind} database at ${where}: ${storeErrorText(err)}`, {
      cause: err,
    });
  }
  let bus: Bus;
  try {
    bus =
      overrides.bus ??
      (config.bus.url
        ? await createNatsBus({
            url: config.bus.url,
            name: `parley-${nodeId}`,
            // Reconnect attempts and the like; the outage itself is warned about below, once.
            onStatus: (s) => logger.debug(s),
          })
        : createLocalBus());
  } catch (err) {
    await store.close();
    throw err;
  }

  const guests = createGuestService({
    store: store.accounts,
    reserved: config.registration.reserved_usernames,
    // Built below; called only once the server runs. As for accounts, the avatar goes
    // first with its blob (no door lets a guest set one today; core would take it).
    beforeDelete: async (userId) => {
      await avatars.remove(userId);
      await rooms.removeAccount(userId);
    },
    afterStore: (userId) => presence.stored(userId),
    perAddressPerHour: config.registration.accounts_per_address_per_hour * 6,
  });
  const heldGuest = (userId: string) => guests.byId(userId) !== undefined;
  const users = createUserDirectory(store, guests);
  const hooks = createHooks({
    onError: (err, hook) => logger.warn({ err, hook }, 'a hook listener failed'),
    onDropped: dropWarning(logger),
  });
  const sessions = createSessionRegistry();
  const router = createRouter({
    nodeId,
    bus,
    sessions,
    subjectPrefix: config.bus.subject_prefix,
    onBadEnvelope: (err) => logger.warn({ err }, 'dropped an unreadable bus message'),
  });
  closeRevokedSessions(router, sessions);
  const l = config.login;
  const throttle = createLoginThrottle({
    freeFailures: l.free_failures,
    maxDelayPerAddress: l.max_delay_seconds_per_address,
    accountPerMinute: l.account_failures_per_minute,
    maxDelayPerAccount: l.max_delay_seconds_per_account,
    addressPerMinute: l.address_failures_per_minute,
  });
  const accounts = createAccountService({
    store: store.accounts,
    hasher: createArgon2Hasher(),
    throttle,
    router,
    policy: () => config.registration.policy,
    signups: perAddress(
      createRateLimiter({
        perSecond: config.registration.accounts_per_address_per_hour / 3600,
        burst: config.registration.accounts_per_address_per_hour,
      }),
    ),
    reserved: config.registration.reserved_usernames,
    minPasswordLength: config.registration.min_password_length,
    heldByGuest: (name) => guests.holds(name),
    // Built below; called only once the server runs. The avatar goes first, with its blob.
    beforeDelete: async (userId) => {
      await avatars.remove(userId);
      await rooms.removeAccount(userId);
    },
    scramIterations: l.scram_iterations,
    onError: (err) => logger.warn({ err }, 'could not store SCRAM credentials at login'),
  });
  // Guests whose connection went away without ending them (a crashed node) expire.
  const guestSweep = setInterval(() => {
    void guests.sweep().catch(quiet(logger, 'warn', 'guest sweep failed'));
  }, 60_000);
  guestSweep.unref();
  const fast = createFastTokenService({
    store: store.accounts,
    accounts,
    throttle,
    lifetimeDays: config.xmpp.fast_token_days,
  });
  const sasl = createSaslService({
    store: store.accounts,
    accounts,
    throttle,
    fast,
    scramIterations: l.scram_iterations,
  });
  // Operator commands reach live connections within about a second (docs/operations.md).
  const revocations = watchRevocations({
    store: store.accounts,
    sessions,
    everyMs: 500,
    windowMs: 60_000,
    onError: quiet(logger, 'warn', 'could not read revocations'),
  });
  const presence = createPresenceService({
    nodeId,
    store: store.presence,
    router,
    sessions,
    usernameOf: users.usernameOf,
    held: heldGuest,
    heartbeatSeconds: config.presence.node_heartbeat_seconds,
    nodeTimeoutSeconds: config.presence.node_timeout_seconds,
    onError: quiet(logger, 'warn', 'presence update failed'),
    hooks,
    directory: users,
  });
  const contacts = createContactService({
    store: store.contacts,
    router,
    journal: {
      append: (userId, name, data) => store.messages.appendEvent(userId, name, data, Date.now()),
    },
    // Failures are logged by the presence service itself.
    accessChanged: (watcher, target) =>
      void presence.accessChanged(watcher, target).catch(() => {}),
    users,
    avatarOf: async (id) => (await store.avatars.avatar(id))?.hash ?? null,
  });
  const profiles = createProfileService({
    store: store.profiles,
    router,
    blocks: contacts,
    // The fanout is made below; a display name changes only once the server runs.
    rooms: {
      roomIdsOf: (userId) => store.rooms.roomIdsOf(userId),
      roomName: async (id) => (await store.rooms.byId(id))?.name,
      publish: (roomId, e) => fanout.publish(roomId, e),
    },
    onError: quiet(logger, 'warn', 'display name not told to rooms'),
    watchersOf: (id) => store.presence.watchersOf(id),
    // Built below; a display name changes only once the server runs.
    announce: (id, changed, except) => avatars.announce(id, changed, except),
  });
  // One reader for core's own history ops and the door-facing service.
  const historyReader = createHistoryReader(store.history);
  const history = createHistoryService({
    store: store.history,
    rooms: store.rooms,
    reader: historyReader,
    users,
  });
  const messages = createMessageService({
    store: store.messages,
    history: historyReader,
    filters: store.filters,
    router,
    rate: { perSecond: config.messages.per_second, burst: config.messages.burst },
    users,
    hooks,
    online: (userId) => presence.online(userId),
  });
  const receipts = createReceiptService({
    store: store.markers,
    router,
    users,
  });
  const conversations = createConversationService({
    store: store.conversations,
    usernameOf: users.usernameOf,
  });
  const fanout = createRoomFanout({
    nodeId,
    bus,
    sessions,
    router,
    subjectPrefix: config.bus.subject_prefix,
    // A guest held in memory is in no room (joining stores it first).
    roomIdsOf: async (userId) => (heldGuest(userId) ? [] : store.rooms.roomIdsOf(userId)),
    onError: quiet(logger, 'warn', 'room delivery problem'),
  });
  const roomDeps = {
    store: store.rooms,
    messages: store.messages,
    history: historyReader,
    markers: store.markers,
    router,
    fanout,
    users,
    limits: {
      maxMembers: config.rooms.max_members,
      maxCreatedPerUser: config.rooms.max_created_per_user,
      guestsMayCreate: config.rooms.guests_may_create,
    },
    rate: { perSecond: config.messages.per_second, burst: config.messages.burst },
    hooks,
    // Built below with the files; a room closes only once the server runs.
    pictures: { drop: (sha: string) => pictures.drop(sha) },
  };
  const occupancy = createOccupancyService({
    nodeId,
    store: store.occupancy,
    sessions,
    router,
    fanout,
    async membership(roomId, userId) {
      if (!(await store.rooms.member(roomId, userId))) return undefined;
      const room = await store.rooms.byId(roomId);
      return room && { id: room.id, name: room.name };
    },
    roomName: async (id) => (await store.rooms.byId(id))?.name,
    sweepSeconds: config.presence.node_heartbeat_seconds,
    nodeTimeoutSeconds: config.presence.node_timeout_seconds,
    onError: (err) => logger.warn({ err }, 'room occupancy update failed'),
  });
  const rooms = createRoomService(roomDeps);
  const roomChat = createRoomChat(roomDeps);
  const live = createLiveReadiness({ bus, fanout });
  // Files under data.dir/files: blobs by hash (or in an S3 bucket every node shares),
  // partial uploads of this node (core/files).
  const filesDir = join(resolve(config.data.dir), 'files');
  const f = config.files;
  const s3 = f.s3_bucket ? createS3BlobStore(s3OptionsFrom(f)) : undefined;
  const scanner =
    f.clamav_socket || f.clamav_host
      ? createClamdScanner({
          ...(f.clamav_socket ? { socket: f.clamav_socket } : { host: f.clamav_host }),
          port: f.clamav_port,
          timeoutMs: f.clamav_timeout_seconds * 1000,
          maxBytes: f.clamav_max_bytes,
        })
      : undefined;
  const blobs = s3 ?? createDiskBlobStore(filesDir);
  const staging = createDiskStaging(filesDir);
  const images = createSharpImages();
  const files = createFileService({
    config: {
      enabled: config.files.enabled,
      maxFileBytes: config.files.max_file_bytes,
      userQuotaBytes: config.files.user_quota_bytes,
      uploadsPerMinute: config.files.uploads_per_minute,
      allowedTypes: config.files.allowed_types,
      storeUnscannedAboveScanLimit: f.clamav_larger_files === 'store-unscanned',
    },
    store: store.files,
    blobs,
    staging,
    images,
    users,
    rooms: store.rooms,
    ...(scanner
      ? {
          scanner,
          onScannerDown: (err: Error) =>
            logger.error({ err: err.message }, 'virus scanner unreachable: upload refused'),
          onScanLimit: (e: { size: number; byScanner: boolean; stored: boolean }) => {
            if (e.byScanner)
              logger.warn(
                { size: e.size, maxBytes: f.clamav_max_bytes, stored: e.stored },
                "clamd refused a file below files.clamav max_bytes: set max_bytes to clamd's StreamMaxLength (or raise that)",
              );
            else if (e.stored)
              logger.info(
                { size: e.size },
                'file larger than the virus scanner reads: stored unscanned',
              );
          },
        }
      : {}),
  });
  // One module checks, re-encodes and keeps every avatar, a person's or a room's.
  const pictures = createPictures({
    blobs,
    staging,
    images,
    blobLock: (sha, fn) => files.withBlob(sha, fn),
    referenced: (sha) => store.files.referenced(sha),
  });
  const avatars = createAvatarService({
    store: store.avatars,
    pictures,
    profile: (id) => store.profiles.profile(id),
    watchersOf: (id) => store.presence.watchersOf(id),
    isBlocked: (owner, other) => store.contacts.isBlocked(owner, other),
    router,
    onError: quiet(logger, 'warn', 'avatar change not told'),
  });
  const roomAvatars = createRoomAvatars({ ...roomDeps, pictures });
  hooks.on('message.deleted', (m) => files.messageDeleted(m));
  // Abandoned uploads, files never sent, files of deleted messages a dropped hook missed.
  const fileSweep = setInterval(() => {
    void files.sweep().catch(quiet(logger, 'warn', 'file sweep failed'));
  }, 600_000);
  fileSweep.unref();
  const previews = createPreviewService({
    config: {
      enabled: config.previews.enabled,
      allowPrivate: config.previews.allow_private,
      allowAddresses: config.previews.allow_addresses,
      allowAnyPort: config.previews.allow_any_port,
      timeoutMs: config.previews.timeout_ms,
      maxBytes: config.previews.max_bytes,
      perMinute: config.previews.per_user_per_minute,
    },
    store: store.previews,
    fetcher: createHttpFetcher(),
  });
  // Expired previews go hourly; the cache is bounded by the per-person fetch rate and the TTL.
  const previewSweep = setInterval(() => {
    void previews.sweep().catch(quiet(logger, 'warn', 'link preview sweep failed'));
  }, 3600_000);
  previewSweep.unref();
  const core: Core = {
    nodeId,
    accounts,
    // A guest held in memory is stored before anything it does names it (core/accounts/guests.ts).
    profiles: viewingHeldGuests(guests, storingGuestFirst(guests, profiles, ['update'])),
    avatars: storingGuestFirst(guests, avatars, ['set']),
    contacts: storingGuestFirst(guests, contacts, ['block']),
    presence: storingGuestFirst(guests, presence, ['choose']),
    occupancy,
    messages: storingGuestsOfNotices(guests, messages),
    conversations,
    history,
    receipts,
    rooms: storingInvitedGuests(guests, storingGuestFirst(guests, rooms, ['join', 'create'])),
    roomAvatars,
    roomChat,
    sender: storingGuestsOfSends(guests, createSendService({ messages, roomChat, files })),
    privateData: createPrivateDataService({ store: store.privateData, router }),
    pep: createPepService({
      store: store.pep,
      router,
      watchersOf: (id) => store.presence.watchersOf(id),
      isBlocked: (owner, other) => store.contacts.isBlocked(owner, other),
    }),
    files,
    previews,
    router,
    sessions,
    throttle,
    sasl,
    fast,
    guests,
    hooks,
    users,
    live,
    feeds: createFeeds({
      messages,
      roomChat,
      live,
      onError: quiet(logger, 'error', 'replay failed'),
      // A bus that can drop messages (NATS): feeds track what they delivered, to resync.
      ...(bus.onState ? { tracking: { roomHeads: (u: string) => store.rooms.headsOf(u) } } : {}),
    }),
  };
  try {
    await presence.start();
    occupancy.start();
  } catch (err) {
    await store.close();
    throw err;
  }

  let stopping = false;
  const storeReadiness = storeCheck(store);
  let busDownSince: number | undefined;
  metrics.busUp.set(bus.state?.() === 'down' ? 0 : 1);
  const recovery = createBusRecovery({
    nodeId,
    bus,
    subjectPrefix: config.bus.subject_prefix,
    steps: {
      refreshRooms: () => fanout.refresh(),
      resyncFeeds: () => core.feeds.resyncAll(),
      refreshPresence: () => presence.refresh(),
    },
    onState(state, downMs) {
      if (stopping) return;
      metrics.busUp.set(state === 'up' ? 1 : 0);
      if (state === 'down') {
        busDownSince = Date.now();
        logger.warn(
          'bus connection lost: this node still stores and serves its clients, but cross-node delivery is degraded until it returns',
        );
        return;
      }
      busDownSince = undefined;
      metrics.busOutages.inc();
      metrics.busOutageSeconds.inc(downMs / 1000);
      logger.warn(
        { outageSeconds: Math.round(downMs / 100) / 10 },
        'bus connection back: catching up connected clients from the store',
      );
    },
    onRecovered: (r) => {
      metrics.busResyncs.inc(r.sessions);
      logger.info(r, 'clients caught up after the bus outage');
    },
    onError: (err) => logger.warn({ err }, 'catching up after the bus outage failed'),
  });
  let certs: Promise<Certificates> | undefined;
  const certificates = (): Promise<Certificates> => {
    certs ??= createCertificates({ tls: config.tls, dataDir: config.data.dir, logger });
    // A failure (unreadable file) is the caller's to report; the next call tries again.
    certs.catch(() => (certs = undefined));
    return certs;
  };
  const doors = await createDoors({
    core,
    config,
    certificates,
    logger,
    metrics,
    ...(overrides.doors ? { more: overrides.doors } : {}),
    readiness: {
      async problems() {
        const out: string[] = [];
        if (stopping) out.push('shutting down');
        const db = await storeReadiness();
        if (db) out.push(`database: ${db}`);
        // A node cut off from the bus still serves its own clients: a warning, not "not ready".
        if (bus.state?.() !== 'down')
          await bus.check().catch((e: Error) => out.push(`bus: ${e.message}`));
        for (const d of doors.all)
          for (const p of await d.problems().catch((e: Error) => [e.message]))
            out.push(`${d.name}: ${p}`);
        return out;
      },
      warnings() {
        if (bus.state?.() !== 'down') return [];
        const s = busDownSince === undefined ? 0 : Math.round((Date.now() - busDownSince) / 1000);
        return [
          `bus: disconnected for ${s} s; this node serves its own clients, other nodes' events reach them when it returns`,
        ];
      },
    },
  });

  let stopped: Promise<void> | undefined;
  return {
    core,
    store,
    bus,
    http: doors.native.http,
    doors: doors.all,
    logger,
    certificates,
    async reload() {
      if (certs) await (await certs).reload();
    },
    async listen() {
      for (const d of doors.all) await d.start();
      revocations.start();
      const port = doors.native.port();
      logger.info(
        {
          node: nodeId,
          port,
          doors: doors.all.map((d) => d.name),
          store: store.kind,
          bus: config.bus.url ? 'nats' : 'local',
        },
        'parley is listening',
      );
      return port;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        clearInterval(guestSweep);
        clearInterval(fileSweep);
        clearInterval(previewSweep);
        logger.info('shutting down');
        // Every door stops taking work at once; what is in flight (hook listeners
        // included) gets the grace period, then the doors are stopped in order.
        const grace = config.server.shutdown_grace_seconds * 1000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          (async () => {
            await Promise.all(
              doors.all.map((d) =>
                d.drain().catch((err) => logger.warn({ err, door: d.name }, 'drain failed')),
              ),
            );
            await hooks.idle();
          })(),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, grace))),
        ]);
        clearTimeout(timer);
        for (const d of doors.all)
          await d.stop().catch((err) => logger.warn({ err, door: d.name }, 'stop failed'));
        recovery.close();
        await revocations.stop();
        await occupancy
          .stop()
          .catch((err) => logger.warn({ err }, 'room occupancy did not stop cleanly'));
        await presence.stop().catch((err) => logger.warn({ err }, 'presence did not stop cleanly'));
        fanout.close();
        router.close();
        if (!overrides.bus) await bus.close().catch(() => {});
        await store.close();
        s3?.close();
        logger.info('stopped');
      })();
      return stopped;
    },
  };
}

/**
 * The doors this configuration opens, in start order. The native door is always
 * there (it serves /healthz, /readyz and /metrics); the IRC door (`[irc]`) and the XMPP
 * door (`[xmpp]`) follow, each listener off with a port of -1.
 */
async function createDoors(deps: {
  core: Core;
  config: Config;
  /** For doors with TLS listeners: the shared certificate, reloaded on SIGHUP. */
  certificates: () => Promise<Certificates>;
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  more?: (core: Core) => Door[];
}): Promise<{ native: NativeDoor; all: Door[] }> {
  const native = await createNativeDoor(deps);
  const { host } = deps.config.server;
  const irc = createIrcDoor({
    ...deps,
    // Links in IRC lines must be absolute; an operator behind a proxy sets files.public_url.
    fileLinks: () =>
      deps.config.files.public_url.replace(/\/+$/, '') ||
      `http://${host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${native.port()}`,
  });
  irc.mount(native.http);
  const xmpp = createXmppDoor(deps);
  xmpp.mount(native.http);
  return { native, all: [native, irc, xmpp, ...(deps.more?.(deps.core) ?? [])] };
}

/**
 * A background job's failure, logged in full unless the database is down: the
 * outage has its own warning (watchStore), and a job that runs twice a second
 * would otherwise log a stack twice a second for as long as it lasts.
 */
function quiet(logger: Logger, level: 'warn' | 'error', msg: string): (err: unknown) => void {
  return (err) => {
    if (isConnectionFailure(err)) logger.debug({ reason: storeErrorText(err) }, msg);
    else logger[level]({ err }, msg);
  };
}

/**
 * The store's health, told to the log and the metrics: one warning when the
 * database stops answering, one when it is back with the outage's length
 * (docs/operations.md). Requests failing meanwhile answer `unavailable` and are
 * not logged one by one.
 */
function watchStore(logger: Logger, metrics: Metrics): StoreHealth {
  metrics.storeUp.set(1);
  const health = createStoreHealth({
    onDown(err) {
      metrics.storeUp.set(0);
      metrics.storeOutages.inc();
      logger.warn(
        { reason: storeErrorText(err) },
        'database unavailable: requests that need it answer "unavailable" until it is back',
      );
    },
    onUp(seconds) {
      metrics.storeUp.set(1);
      metrics.storeOutageSeconds.inc(seconds);
      logger.warn({ outageSeconds: Math.round(seconds * 10) / 10 }, 'database is back');
    },
  });
  // The current outage counts too, so a long one shows before it ends.
  (metrics.storeDownSeconds as unknown as { collect: () => void }).collect = () =>
    metrics.storeDownSeconds.set(
      health.downSince === undefined ? 0 : (Date.now() - health.downSince) / 1000,
    );
  return health;
}

/**
 * /readyz's view of the store, quick and bounded: during a known outage it says
 * so at once; otherwise `select 1` gets a second, and its answer is reused for
 * half a second (a load balancer probing every node often costs one query).
 */
function storeCheck(store: {
  check(): Promise<void>;
  health: StoreHealth;
}): () => Promise<string | undefined> {
  let cached: { at: number; answer: Promise<string | undefined> } | undefined;
  return () => {
    const h = store.health;
    if (h.downSince !== undefined)
      return Promise.resolve(`unavailable for ${Math.round((Date.now() - h.downSince) / 1000)} s`);
    const now = Date.now();
    if (cached && now - cached.at < 500) return cached.answer;
    let timer: NodeJS.Timeout | undefined;
    const answer = Promise.race([
      store.check().then(
        () => undefined,
        (e: unknown) => storeErrorText(e),
      ),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('no answer within 1 s'), 1000);
        timer.unref();
      }),
    ]).finally(() => clearTimeout(timer));
    cached = { at: now, answer };
    return answer;
  };
}

/** Warns at the first dropped hook call, then at every thousandth, so a flood does not flood the log. */
function dropWarning(logger: Logger): (hook: string) => void {
  let dropped = 0;
  return (hook) => {
    if (dropped++ % 1000 === 0)
      logger.warn({ hook, dropped }, 'hook calls dropped: listeners are slower than events arrive');
  };
}
