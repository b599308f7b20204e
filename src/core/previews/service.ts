import { addressMatcher } from '../limits/address.js';
import { createRateLimiter } from '../limits/rate.js';
import { type Condition, isParleyError, ParleyError } from '../errors.js';
import { blockedReason } from './addresses.js';
import type { FetchResponse, PreviewFetcher, ResolvedAddress } from './fetcher.js';
import { parseMeta, type PageMeta } from './html.js';
import type { PreviewStore } from './store.js';

/** What a client shows under a message: text only, the image as an https URL it loads itself. */
export interface LinkPreview extends PageMeta {
  url: string;
}

export interface PreviewConfig {
  enabled: boolean;
  /** Fetch private, loopback and other non-global addresses too (tests, intranets). */
  allowPrivate: boolean;
  /** Addresses or CIDR ranges allowed although not global (one intranet, not all of them). */
  allowAddresses: readonly string[];
  /** Ports other than 80 and 443. */
  allowAnyPort: boolean;
  timeoutMs: number;
  maxBytes: number;
  perMinute: number;
}

export interface PreviewService {
  /** The preview of an http(s) URL, from the cache or fetched; throws a preview condition. */
  preview(userId: string, url: string): Promise<LinkPreview>;
  /** Whether this person gets previews: their switch, and the server's (`previews.enabled`). */
  enabledFor(userId: string): Promise<boolean>;
  setEnabledFor(userId: string, on: boolean): Promise<void>;
  /** Drops expired cache entries (main.ts calls it now and then). */
  sweep(): Promise<number>;
}

const MAX_REDIRECTS = 3;
const MAX_URL = 2048;
const SUCCESS_TTL_MS = 24 * 3600_000;
const FAILURE_TTL_MS = 3600_000;
const MAX_IN_FLIGHT = 1000;
/** Failures that say something about the URL (worth caching), not about this server. */
const CACHED_FAILURES: ReadonlySet<Condition> = new Set([
  'blocked-address',
  'not-html',
  'too-large',
  'timeout',
  'unreachable',
]);

export function isHtml(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml';
}

export function createPreviewService(deps: {
  config: PreviewConfig;
  store: PreviewStore;
  fetcher: PreviewFetcher;
  now?: () => number;
}): PreviewService {
  const { config, store, fetcher } = deps;
  const now = deps.now ?? Date.now;
  const allowListed = addressMatcher(config.allowAddresses);
  const limiter = createRateLimiter({
    perSecond: config.perMinute / 60,
    burst: config.perMinute,
    maxKeys: 10_000,
  });
  // Several people previewing one link at once share one fetch.
  const inFlight = new Map<string, Promise<LinkPreview>>();

  const allowed = (a: ResolvedAddress) =>
    config.allowPrivate || allowListed(a.address) || blockedReason(a.address) === undefined;

  async function step<T>(signal: AbortSignal, work: () => Promise<T>, what: string): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isParleyError(err)) throw err;
      if (signal.aborted)
        throw new ParleyError('timeout', `the page did not answer within ${config.timeoutMs} ms`);
      throw new ParleyError('unreachable', `could not ${what}`);
    }
  }

  async function fetchPreview(start: URL): Promise<LinkPreview> {
    const signal = AbortSignal.timeout(config.timeoutMs);
    let url = start;
    for (let hop = 0; ; hop++) {
      const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
      if (!config.allowAnyPort && port !== 80 && port !== 443)
        throw new ParleyError('blocked-address', `port ${port} is not fetched (only 80 and 443)`);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const addresses = await step(signal, () => fetcher.resolve(host, signal), 'resolve the host');
      if (addresses.length === 0) throw new ParleyError('unreachable', 'the host has no address');
      // Every address must pass: a name that also resolves to a private one is refused whole.
      if (!addresses.every(allowed))
        throw new ParleyError(
          'blocked-address',
          'the link leads to a private or reserved address, which is not fetched',
        );
      const res: FetchResponse = await step(
        signal,
        () =>
          fetcher.get({ url, address: addresses[0]!, maxBytes: config.maxBytes, signal }, isHtml),
        'fetch the page',
      );
      if ([301, 302, 303, 307, 308].includes(res.status) && res.location !== undefined) {
        if (hop >= MAX_REDIRECTS)
          throw new ParleyError('unreachable', `more than ${MAX_REDIRECTS} redirects`);
        url = nextUrl(res.location, url);
        continue;
      }
      if (res.status < 200 || res.status > 299)
        throw new ParleyError('unreachable', `the page answered with status ${res.status}`);
      if (!isHtml(res.contentType))
        throw new ParleyError('not-html', 'the link is not an HTML page');
      const text = decode(res.body, res.contentType);
      // A long page is fine when its head (all a preview reads) came whole.
      if (res.truncated && !/<\/head[\s>]|<body[\s>]/i.test(text))
        throw new ParleyError(
          'too-large',
          `the page's head is larger than ${config.maxBytes} bytes`,
        );
      return { url: start.href, ...parseMeta(text, url.href) };
    }
  }

  async function cached(key: string): Promise<LinkPreview | undefined> {
    const hit = await store.get(key, now());
    if (!hit) return undefined;
    if (hit.data !== undefined) return JSON.parse(hit.data) as LinkPreview;
    const condition = (hit.error ?? 'unreachable') as Condition;
    throw new ParleyError(condition, `${failureText(condition)} (remembered for a while)`);
  }

  async function fetchAndCache(url: URL): Promise<LinkPreview> {
    const fetchedAt = now();
    try {
      const preview = await fetchPreview(url);
      await store.put({
        url: url.href,
        data: JSON.stringify(preview),
        fetchedAt,
        expiresAt: fetchedAt + SUCCESS_TTL_MS,
      });
      return preview;
    } catch (err) {
      if (isParleyError(err) && CACHED_FAILURES.has(err.condition))
        await store.put({
          url: url.href,
          error: err.condition,
          fetchedAt,
          expiresAt: fetchedAt + FAILURE_TTL_MS,
        });
      throw err;
    }
  }

  return {
    async preview(userId, raw) {
      if (!config.enabled)
        throw new ParleyError('disabled', 'link previews are switched off on this server');
      const url = parseTarget(raw);
      if (!(await store.enabledFor(userId)))
        throw new ParleyError('disabled', 'you switched link previews off (privacy settings)');
      const hit = await cached(url.href);
      if (hit) return hit;
      const running = inFlight.get(url.href);
      if (running) return running;
      limiter.take(userId);
      const p = fetchAndCache(url).finally(() => inFlight.delete(url.href));
      if (inFlight.size < MAX_IN_FLIGHT) inFlight.set(url.href, p);
      return p;
    },
    // Off on the server is off for everyone: clients read this and do not ask.
    enabledFor: async (userId) => config.enabled && (await store.enabledFor(userId)),
    setEnabledFor: (userId, on) => store.setEnabledFor(userId, on),
    sweep: () => store.sweep(now()),
  };
}

/** The URL a client asked for, checked: absolute http(s), no credentials, no fragment. */
function parseTarget(raw: string): URL {
  if (raw.length > MAX_URL)
    throw new ParleyError('bad-request', `the URL is longer than ${MAX_URL} characters`, {
      field: 'url',
    });
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ParleyError('bad-request', 'not a URL', { field: 'url' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ParleyError('bad-request', 'only http and https links have previews', {
      field: 'url',
    });
  if (u.username || u.password)
    throw new ParleyError('bad-request', 'a link with a user name or password is not fetched', {
      field: 'url',
    });
  u.hash = '';
  return u;
}

function nextUrl(location: string, from: URL): URL {
  let u: URL;
  try {
    u = new URL(location, from);
  } catch {
    throw new ParleyError('unreachable', 'the page redirects to something that is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ParleyError('unreachable', 'the page redirects to something other than http(s)');
  u.username = '';
  u.password = '';
  u.hash = '';
  return u;
}

/** The body as text, in the charset the header or an early <meta charset> names (UTF-8 otherwise). */
function decode(body: Buffer, contentType: string): string {
  const declared =
    /charset\s*=\s*"?([A-Za-z0-9._:-]{1,40})/i.exec(contentType)?.[1] ??
    /<meta[^>]{0,200}charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})/i.exec(
      body.subarray(0, 2048).toString('latin1'),
    )?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

function failureText(c: Condition): string {
  switch (c) {
    case 'blocked-address':
      return 'the link leads to a private or reserved address';
    case 'not-html':
      return 'the link is not an HTML page';
    case 'too-large':
      return 'the page is too large';
    case 'timeout':
      return 'the page did not answer in time';
    default:
      return 'the page could not be reached';
  }
}
