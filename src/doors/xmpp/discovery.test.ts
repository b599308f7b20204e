import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { hostMetaXml, webSocketIsSecure, webSocketUrl } from './discovery.js';

const req = (r: {
  host?: string;
  protocol?: 'http' | 'https';
  peer?: string;
  headers?: Record<string, string>;
}): FastifyRequest =>
  ({
    host: r.host ?? 'chat.example.org',
    protocol: r.protocol ?? 'http',
    socket: { remoteAddress: r.peer ?? '203.0.113.5' },
    headers: r.headers ?? {},
  }) as unknown as FastifyRequest;

describe('XEP-0156 discovery and WebSocket security', () => {
  it('names the endpoint as the client reached it', () => {
    expect(webSocketUrl(req({ protocol: 'https' }), '/xmpp-websocket')).toBe(
      'wss://chat.example.org/xmpp-websocket',
    );
    expect(webSocketUrl(req({ host: '127.0.0.1:8080' }), '/x')).toBe('ws://127.0.0.1:8080/x');
    expect(webSocketUrl(req({ host: '[::1]:8080' }), '/x')).toBe('ws://[::1]:8080/x');
  });

  it('echoes no Host that is not a host', () => {
    for (const host of ["x'><script>", '', 'a b', 'evil.com/path', 'a@b', 'x:99999999', '[::1'])
      expect(webSocketUrl(req({ host }), '/x'), host).toBeUndefined();
  });

  it('escapes what it writes into the XRD', () => {
    expect(hostMetaXml("ws://a/'x")).toContain("href='ws://a/&apos;x'");
  });

  it('counts a stream as encrypted over HTTPS or straight from this machine only', () => {
    expect(webSocketIsSecure(req({ protocol: 'https' }))).toBe(true);
    expect(webSocketIsSecure(req({}))).toBe(false);
    for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1'])
      expect(webSocketIsSecure(req({ peer })), peer).toBe(true);
    // A proxy on this machine that is not trusted passes clients from anywhere.
    expect(
      webSocketIsSecure(req({ peer: '127.0.0.1', headers: { 'x-forwarded-for': '1.2.3.4' } })),
    ).toBe(false);
    expect(webSocketIsSecure(req({ peer: '::1', headers: { forwarded: 'for=1.2.3.4' } }))).toBe(
      false,
    );
    expect(webSocketIsSecure(req({ peer: '10.0.0.1' }))).toBe(false);
  });
});
