import { isIP } from 'node:net';
import { parseRange } from '../core/limits/address.js';

/**
 * The configuration schema: one table that drives validation, defaults,
 * PARLEY_* environment overrides and the error messages. The commented example
 * (parley.example.toml) documents the same keys; a test keeps them in step.
 */
export type FieldSpec =
  | { type: 'string'; default: string; maxLength?: number; pattern?: RegExp; patternText?: string }
  | { type: 'int'; default: number; min: number; max: number }
  | { type: 'bool'; default: boolean }
  | { type: 'enum'; default: string; values: readonly string[] }
  | {
      type: 'strings';
      default: readonly string[];
      pattern?: RegExp;
      /** A check the pattern cannot express; the item is refused when it answers false. */
      check?: (item: string) => boolean;
      patternText?: string;
    };

const validRange = (s: string): boolean => parseRange(s) !== undefined;
const label = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const hostName = new RegExp(`^(\\*\\.)?${label}(\\.${label})*$`);
/** A DNS name (a leading "*." allowed) or an IP address. */
const validHost = (s: string): boolean =>
  isIP(s) !== 0 || (s.length <= 253 && hostName.test(s) && !/^[0-9.]+$/.test(s));

export const SCHEMA = {
  server: {
    host: { type: 'string', default: '0.0.0.0', maxLength: 255 },
    port: { type: 'int', default: 8080, min: 0, max: 65535 },
    node_id: {
      type: 'string',
      default: '',
      maxLength: 64,
      pattern: /^[A-Za-z0-9_-]*$/,
      patternText: 'letters, digits, _ and -',
    },
    trusted_proxies: {
      type: 'strings',
      default: [],
      check: validRange,
      patternText: 'IP addresses or CIDR ranges, e.g. "127.0.0.1", "10.0.0.0/8", "fd00::/8"',
    },
    /** Deprecated: true trusts loopback proxies only (see trusted_proxies). */
    trust_proxy: { type: 'bool', default: false },
    shutdown_grace_seconds: { type: 'int', default: 10, min: 0, max: 600 },
  },
  data: {
    dir: { type: 'string', default: './data', maxLength: 4096 },
  },
  database: {
    url: {
      type: 'string',
      default: '',
      maxLength: 4096,
      pattern: /^(|postgres(ql)?:\/\/.*|sqlite:.*)$/,
      patternText: 'empty (SQLite under data.dir), sqlite:PATH, or postgres://...',
    },
    pool_size: { type: 'int', default: 10, min: 1, max: 200 },
    schema: {
      type: 'string',
      default: '',
      maxLength: 63,
      pattern: /^([a-z_][a-z0-9_]*)?$/,
      patternText: 'empty, or a PostgreSQL schema name of a-z, 0-9 and _',
    },
    /** `parley serve` waits this long for PostgreSQL to answer at start; 0 = as long as it takes. */
    start_timeout_seconds: { type: 'int', default: 0, min: 0, max: 86400 },
  },
  bus: {
    url: {
      type: 'string',
      default: '',
      maxLength: 4096,
      pattern: /^(|nats:\/\/.*)$/,
      patternText: 'empty (in-process) or nats://host:port',
    },
    subject_prefix: {
      type: 'string',
      default: 'parley',
      maxLength: 64,
      pattern: /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
      patternText: 'dot-separated tokens of letters, digits, _ and -',
    },
  },
  registration: {
    policy: { type: 'enum', default: 'open', values: ['open', 'invite', 'closed'] },
    reserved_usernames: {
      type: 'strings',
      default: [],
      pattern: /^[a-z0-9._-]{1,32}$/,
      patternText: 'usernames ([a-z0-9._-], 1-32 characters)',
    },
    accounts_per_address_per_hour: { type: 'int', default: 10, min: 1, max: 1000000 },
    /** The fewest characters (code points) a new password may have. */
    min_password_length: { type: 'int', default: 8, min: 1, max: 64 },
  },
  login: {
    free_failures: { type: 'int', default: 5, min: 1, max: 1000 },
    max_delay_seconds_per_address: { type: 'int', default: 900, min: 1, max: 86400 },
    account_failures_per_minute: { type: 'int', default: 30, min: 1, max: 100000 },
    max_delay_seconds_per_account: { type: 'int', default: 60, min: 1, max: 3600 },
    address_failures_per_minute: { type: 'int', default: 60, min: 1, max: 100000 },
    /** PBKDF2 rounds of SCRAM credentials (IRC and XMPP SASL); RFC 5802/7677 minimum 4096. */
    scram_iterations: { type: 'int', default: 10000, min: 4096, max: 1000000 },
  },
  limits: {
    max_body_bytes: { type: 'int', default: 65536, min: 1024, max: 16777216 },
    json_max_depth: { type: 'int', default: 32, min: 2, max: 256 },
    requests_per_minute_per_address: { type: 'int', default: 600, min: 1, max: 1000000 },
    connections_per_address: { type: 'int', default: 64, min: 1, max: 1000000 },
  },
  /**
   * The native door: Parley's own protocol over WebSocket (REST and the web client
   * share its HTTP listener, server.host:server.port). Each door has its own section.
   */
  native: {
    max_frame_bytes: { type: 'int', default: 65536, min: 1024, max: 16777216 },
    frames_per_second: { type: 'int', default: 30, min: 1, max: 100000 },
    frame_burst: { type: 'int', default: 100, min: 1, max: 100000 },
    bad_frames_before_close: { type: 'int', default: 20, min: 1, max: 100000 },
    send_queue_bytes: { type: 'int', default: 1048576, min: 16384, max: 268435456 },
    auth_timeout_seconds: { type: 'int', default: 10, min: 1, max: 600 },
    heartbeat_seconds: { type: 'int', default: 15, min: 1, max: 600 },
    session_recheck_seconds: { type: 'int', default: 60, min: 1, max: 86400 },
  },
  /**
   * The IRC door (docs/irc.md): plain TCP and TLS listeners. A port of 0 takes a free
   * port; -1 switches that listener off.
   */
  irc: {
    host: { type: 'string', default: '', maxLength: 255 },
    port: { type: 'int', default: 6667, min: -1, max: 65535 },
    tls_port: { type: 'int', default: 6697, min: -1, max: 65535 },
    /** Connections without an account may talk in public rooms as guests (core/accounts/guests.ts). */
    guests: { type: 'bool', default: true },
    /** IRC over WebSocket at /irc on the HTTP server (browser IRC clients). */
    websocket: { type: 'bool', default: true },
    /** The server's name in IRC messages (the source of numerics). */
    server_name: {
      type: 'string',
      default: 'parley.irc',
      maxLength: 63,
      pattern: /^[A-Za-z0-9][A-Za-z0-9.-]*$/,
      patternText: 'a host name (letters, digits, dots and dashes)',
    },
    motd: { type: 'string', default: 'Welcome to Parley.', maxLength: 4000 },
    lines_per_second: { type: 'int', default: 10, min: 1, max: 100000 },
    line_burst: { type: 'int', default: 40, min: 1, max: 100000 },
    send_queue_bytes: { type: 'int', default: 1048576, min: 16384, max: 268435456 },
    registration_timeout_seconds: { type: 'int', default: 30, min: 1, max: 600 },
    ping_seconds: { type: 'int', default: 90, min: 5, max: 3600 },
    /**
     * IRC operators (OPER, KILL, STATS): Parley usernames. OPER <username> <password>
     * checks that account's own password, so no password lives in the config.
     */
    operators: {
      type: 'strings',
      default: [],
      pattern: /^[a-z0-9._-]{1,32}$/,
      patternText: 'usernames ([a-z0-9._-], 1-32 characters)',
    },
  },
  /**
   * The XMPP door (docs/xmpp.md): client-to-server streams with STARTTLS on `port` and
   * direct TLS (XEP-0368) on `tls_port`. A port of 0 takes a free port; -1 switches
   * that listener off. A JID is `username@domain`.
   */
  xmpp: {
    host: { type: 'string', default: '', maxLength: 255 },
    domain: {
      type: 'string',
      default: 'localhost',
      maxLength: 253,
      pattern: /^[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*$/,
      patternText: 'a lowercase domain name, e.g. "chat.example.org"',
    },
    port: { type: 'int', default: 5222, min: -1, max: 65535 },
    tls_port: { type: 'int', default: 5223, min: -1, max: 65535 },
    /** Refuse SASL and everything after it until the stream is encrypted. */
    require_tls: { type: 'bool', default: true },
    stanzas_per_second: { type: 'int', default: 10, min: 1, max: 100000 },
    stanza_burst: { type: 'int', default: 40, min: 1, max: 100000 },
    /** Bytes per second one connection may send once past `byte_burst`. */
    bytes_per_second: { type: 'int', default: 65536, min: 1024, max: 1073741824 },
    byte_burst: { type: 'int', default: 524288, min: 1024, max: 1073741824 },
    max_stanza_bytes: { type: 'int', default: 262144, min: 10000, max: 16777216 },
    send_queue_bytes: { type: 'int', default: 1048576, min: 16384, max: 268435456 },
    /** A connection must log in and bind a resource in this time. */
    login_timeout_seconds: { type: 'int', default: 60, min: 1, max: 600 },
    /** A silent client gets a ping this often (XEP-0199) and is cut off if it does not answer. */
    ping_seconds: { type: 'int', default: 120, min: 5, max: 3600 },
    /** XEP-0198: how long a dropped stream's session waits to be resumed (0: no resumption). */
    resume_seconds: { type: 'int', default: 300, min: 0, max: 86400 },
    /** Sessions waiting to be resumed at once on this node; past it the oldest ends. */
    max_detached: { type: 'int', default: 10000, min: 0, max: 1000000 },
    /** Stanzas sent and not acknowledged (XEP-0198) before the stream is ended. */
    max_unacked: { type: 'int', default: 1000, min: 10, max: 100000 },
    /** XEP-0484 FAST tokens live this many days unless used (0: FAST is not offered). */
    fast_token_days: { type: 'int', default: 14, min: 0, max: 365 },
    /** XMPP over WebSocket (RFC 7395) on the HTTP server, with XEP-0156 discovery. */
    websocket: { type: 'bool', default: true },
    websocket_path: {
      type: 'string',
      default: '/xmpp-websocket',
      maxLength: 200,
      pattern: /^\/[A-Za-z0-9._~/-]*$/,
      patternText: 'a URL path such as "/xmpp-websocket"',
    },
  },
  /**
   * The TLS certificate of the doors that speak TLS themselves (IRC, XMPP; src/doors/tls).
   * Both paths empty: a self-signed certificate for `self_signed_hosts`, made in data.dir.
   */
  tls: {
    cert: { type: 'string', default: '', maxLength: 4096 },
    key: { type: 'string', default: '', maxLength: 4096 },
    self_signed_hosts: {
      type: 'strings',
      default: ['localhost'],
      check: validHost,
      patternText: 'host names or IP addresses, e.g. "chat.example.org", "127.0.0.1"',
    },
  },
  messages: {
    per_second: { type: 'int', default: 10, min: 1, max: 100000 },
    burst: { type: 'int', default: 50, min: 1, max: 100000 },
  },
  rooms: {
    max_members: { type: 'int', default: 10000, min: 2, max: 100000 },
    max_created_per_user: { type: 'int', default: 50, min: 0, max: 100000 },
    /** Guests (irc.guests) may create rooms too, as on IRC, where joining a new channel makes it. */
    guests_may_create: { type: 'bool', default: false },
  },
  /**
   * Shared files (core/files, docs/protocol.md "Files"): uploads into a conversation,
   * bytes on the local disk under data.dir/files, stored once by SHA-256.
   */
  files: {
    enabled: { type: 'bool', default: true },
    max_file_bytes: { type: 'int', default: 104857600, min: 1, max: 1099511627776 },
    user_quota_bytes: { type: 'int', default: 1073741824, min: 1, max: 1099511627776 },
    uploads_per_minute: { type: 'int', default: 30, min: 1, max: 100000 },
    /** Detected types accepted ("image/*", "application/pdf"); empty accepts every type. */
    allowed_types: {
      type: 'strings',
      default: [],
      pattern: /^[a-z0-9.+-]+\/([a-z0-9.+-]+|\*)$/,
      patternText: 'media types such as "image/*" or "application/pdf"',
    },
    /**
     * The address people reach this server's HTTP port at (https://chat.example.org),
     * for capability links in doors without a bearer token (IRC). Empty: http://host:port.
     */
    public_url: {
      type: 'string',
      default: '',
      maxLength: 2048,
      pattern: /^(|https?:\/\/[^\s/?#]+(\/[^\s?#]*)?)$/,
      patternText: 'empty, or an http(s) URL such as "https://chat.example.org"',
    },
    /**
     * `[files.s3]`: with a bucket set, blobs live in that S3-compatible bucket (shared
     * by every node) instead of data.dir/files/blobs (src/blobs/s3.ts).
     */
    s3_bucket: {
      type: 'string',
      default: '',
      maxLength: 63,
      pattern: /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$/,
      patternText: 'empty (local disk), or an S3 bucket name',
    },
    /** Empty: AWS's endpoint for the region. */
    s3_endpoint: {
      type: 'string',
      default: '',
      maxLength: 2048,
      pattern: /^(|https?:\/\/[^\s/?#]+(\/[^\s?#]*)?)$/,
      patternText: 'empty (AWS), or an http(s) URL such as "https://s3.example.org"',
    },
    s3_region: {
      type: 'string',
      default: 'us-east-1',
      maxLength: 64,
      pattern: /^[a-z0-9-]{1,64}$/,
      patternText: 'a region name such as "us-east-1"',
    },
    s3_access_key: { type: 'string', default: '', maxLength: 256 },
    s3_secret_key: { type: 'string', default: '', maxLength: 256 },
    s3_path_style: { type: 'bool', default: false },
    /**
     * `[files.clamav]`: scan every upload with a running clamd before it is stored
     * (an infected one is refused). A Unix socket path, or host and port; all empty: off.
     */
    clamav_socket: { type: 'string', default: '', maxLength: 1024 },
    clamav_host: { type: 'string', default: '', maxLength: 255 },
    clamav_port: { type: 'int', default: 3310, min: 1, max: 65535 },
    clamav_timeout_seconds: { type: 'int', default: 60, min: 1, max: 3600 },
    /** clamd's StreamMaxLength (Debian's default: 25M): it reads no bigger file. */
    clamav_max_bytes: { type: 'int', default: 26214400, min: 1, max: 4294967295 },
    /** A file over max_bytes: refused as too-large (fail closed), or stored unscanned. */
    clamav_larger_files: {
      type: 'enum',
      default: 'refuse',
      values: ['refuse', 'store-unscanned'],
    },
  },
  /**
   * Link previews (core/previews, docs/protocol.md "Link previews"): the server fetches
   * the page of a URL in a message and answers its title, description and image URL.
   */
  previews: {
    enabled: { type: 'bool', default: true },
    /** Fetch private, loopback, link-local and other non-global addresses (tests, intranets). */
    allow_private: { type: 'bool', default: false },
    /** Addresses or CIDR ranges fetched although not global (one intranet, not all). */
    allow_addresses: {
      type: 'strings',
      default: [],
      check: validRange,
      patternText: 'IP addresses or CIDR ranges, e.g. "10.1.2.0/24"',
    },
    /** Fetch from any port, not only 80 and 443. */
    allow_any_port: { type: 'bool', default: false },
    /** The whole fetch, redirects included. */
    timeout_ms: { type: 'int', default: 5000, min: 100, max: 60000 },
    /** HTML read per page; a longer page is previewed when its head fits. */
    max_bytes: { type: 'int', default: 524288, min: 4096, max: 16777216 },
    /** Pages fetched per person per minute (answers from the cache are free). */
    per_user_per_minute: { type: 'int', default: 30, min: 1, max: 100000 },
  },
  presence: {
    node_heartbeat_seconds: { type: 'int', default: 10, min: 1, max: 600 },
    node_timeout_seconds: { type: 'int', default: 30, min: 2, max: 3600 },
  },
  log: {
    level: {
      type: 'enum',
      default: 'info',
      values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    },
  },
  metrics: {
    enabled: { type: 'bool', default: true },
    allow: {
      type: 'strings',
      default: ['127.0.0.0/8', '::1'],
      check: validRange,
      patternText: 'IP addresses or CIDR ranges',
    },
    token: { type: 'string', default: '', maxLength: 256 },
  },
} as const satisfies Record<string, Record<string, FieldSpec>>;

/**
 * Keys that moved, old name -> new name. The old one is still read when the new
 * one is not set (in the file or the environment), with a warning naming the new one.
 */
export const MOVED_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(SCHEMA.native).map((k) => [`limits.${k}`, `native.${k}`]),
);

type Schema = typeof SCHEMA;
type ValueOf<F> = F extends { type: 'int' }
  ? number
  : F extends { type: 'bool' }
    ? boolean
    : F extends { type: 'strings' }
      ? string[]
      : F extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : string;

export type Config = {
  [S in keyof Schema]: { [K in keyof Schema[S]]: ValueOf<Schema[S][K]> };
};
