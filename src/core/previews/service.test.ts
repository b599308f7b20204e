import { describe, expect, it } from 'vitest';
import type { FetchRequest, FetchResponse, PreviewFetcher, ResolvedAddress } from './fetcher.js';
import { createPreviewService, type PreviewConfig } from './service.js';
import type { CachedPreview, PreviewStore } from './store.js';

function memoryStore(): PreviewStore & { rows: Map<string, CachedPreview> } {
  const rows = new Map<string, CachedPreview>();
  const off = new Set<string>();
  return {
    rows,
    get: async (url, now) => {
      const r = rows.get(url);
      return r && r.expiresAt > now ? r : undefined;
    },
    put: async (e) => void rows.set(e.url, e),
    sweep: async () => 0,
    enabledFor: async (u) => !off.has(u),
    setEnabledFor: async (u, on) => void (on ? off.delete(u) : off.add(u)),
  };
}

/** A web of names and pages; records every connection (which address, for which URL). */
function fakeWeb(
  names: Record<string, string[]>,
  pages: Record<string, Partial<FetchResponse>>,
): PreviewFetcher & { connections: Array<[string, string]>; lookups: string[] } {
  const connections: Array<[string, string]> = [];
  const lookups: string[] = [];
  return {
    connections,
    lookups,
    async resolve(host) {
      lookups.push(host);
      const list = names[host] ?? (/^[\d.]+$|:/.test(host) ? [host] : undefined);
      if (!list) throw new Error('ENOTFOUND');
      return list.map((address): ResolvedAddress => ({
        address,
        family: address.includes(':') ? 6 : 4,
      }));
    },
    async get(req: FetchRequest) {
      connections.push([req.address.address, req.url.href]);
      const p = pages[req.url.href];
      if (!p) throw new Error('ECONNREFUSED');
      return {
        status: 200,
        contentType: 'text/html',
        body: Buffer.alloc(0),
        truncated: false,
        ...p,
      };
    },
  };
}

const config: PreviewConfig = {
  enabled: true,
  allowPrivate: false,
  allowAddresses: [],
  allowAnyPort: false,
  timeoutMs: 5000,
  maxBytes: 4096,
  perMinute: 3,
};
const page = (title: string): Partial<FetchResponse> => ({
  body: Buffer.from(`<title>${title}</title>`),
});

describe('link preview service', () => {
  it('connects only to the vetted address, resolving each hop once', async () => {
    const web = fakeWeb(
      { 'a.example': ['93.184.216.34'], 'b.example': ['1.1.1.1'] },
      {
        'http://a.example/': { status: 301, location: 'https://b.example/x' },
        'https://b.example/x': page('B'),
      },
    );
    const svc = createPreviewService({ config, store: memoryStore(), fetcher: web });
    expect(await svc.preview('u', 'http://a.example/')).toEqual({
      url: 'http://a.example/',
      title: 'B',
    });
    expect(web.lookups).toEqual(['a.example', 'b.example']);
    expect(web.connections).toEqual([
      ['93.184.216.34', 'http://a.example/'],
      ['1.1.1.1', 'https://b.example/x'],
    ]);
  });

  it('refuses a name that resolves to a public and a private address, before connecting', async () => {
    const web = fakeWeb({ 'mixed.example': ['1.1.1.1', '10.0.0.5'] }, {});
    const svc = createPreviewService({ config, store: memoryStore(), fetcher: web });
    await expect(svc.preview('u', 'http://mixed.example/')).rejects.toMatchObject({
      condition: 'blocked-address',
    });
    expect(web.connections).toEqual([]);
  });

  it('refuses other ports unless configured, and allows listed addresses', async () => {
    const web = fakeWeb({}, { 'http://10.1.2.3:8080/': page('intranet') });
    const strict = createPreviewService({ config, store: memoryStore(), fetcher: web });
    await expect(strict.preview('u', 'http://1.1.1.1:8080/')).rejects.toMatchObject({
      condition: 'blocked-address',
    });
    const intranet = createPreviewService({
      config: { ...config, allowAnyPort: true, allowAddresses: ['10.1.2.0/24'] },
      store: memoryStore(),
      fetcher: web,
    });
    expect((await intranet.preview('u', 'http://10.1.2.3:8080/')).title).toBe('intranet');
    await expect(intranet.preview('u', 'http://10.1.3.1:8080/')).rejects.toMatchObject({
      condition: 'blocked-address',
    });
    expect(web.connections.map(([a]) => a)).toEqual(['10.1.2.3']);
  });

  it('caches failures, limits fetches per person (not cache hits), and can be switched off', async () => {
    const web = fakeWeb({}, { 'http://1.1.1.1/ok': page('ok') });
    const store = memoryStore();
    const svc = createPreviewService({ config, store, fetcher: web });
    await expect(svc.preview('u', 'http://1.1.1.1/nothing')).rejects.toMatchObject({
      condition: 'unreachable',
    });
    expect(store.rows.get('http://1.1.1.1/nothing')?.error).toBe('unreachable');
    await expect(svc.preview('u', 'http://1.1.1.1/nothing')).rejects.toMatchObject({
      condition: 'unreachable',
    });
    expect(web.connections).toHaveLength(1);
    for (let i = 0; i < 5; i++) await svc.preview('u', 'http://1.1.1.1/ok');
    // perMinute 3: "nothing", "ok" and "third" were fetched; the cached repeats were free.
    await expect(svc.preview('u', 'http://1.1.1.1/third')).rejects.toMatchObject({
      condition: 'unreachable',
    });
    await expect(svc.preview('u', 'http://1.1.1.1/other')).rejects.toMatchObject({
      condition: 'rate-limited',
    });
    await svc.setEnabledFor('v', false);
    await expect(svc.preview('v', 'http://1.1.1.1/ok')).rejects.toMatchObject({
      condition: 'disabled',
    });
    const off = createPreviewService({
      config: { ...config, enabled: false },
      store,
      fetcher: web,
    });
    await expect(off.preview('u', 'http://1.1.1.1/ok')).rejects.toMatchObject({
      condition: 'disabled',
    });
  });
});
