import type { FastifyRequest } from 'fastify';
import { escapeAttr } from './codec/serialize.js';

/**
 * XEP-0156: how a web client (Converse.js) finds the WebSocket endpoint from
 * the domain alone, in host-meta's XRD and JSON forms. The URL is the one the
 * client reached: its Host (X-Forwarded-Host from a trusted proxy) and wss://
 * when the request came over HTTPS.
 */

const WS_REL = 'urn:xmpp:alt-connections:websocket';
// A host name, IPv4 or [IPv6], with an optional port: anything else is not echoed back.
const HOST =
  /^(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/** The endpoint's URL as this request sees it; undefined for a Host that is not a host. */
export function webSocketUrl(req: FastifyRequest, path: string): string | undefined {
  const host = req.host;
  if (!HOST.test(host)) return undefined;
  return `${req.protocol === 'https' ? 'wss' : 'ws'}://${host}${path}`;
}

export function hostMetaXml(url: string): string {
  return (
    `<?xml version='1.0' encoding='utf-8'?>\n` +
    `<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n` +
    `  <Link rel='${WS_REL}' href='${escapeAttr(url)}'/>\n` +
    `</XRD>\n`
  );
}

export function hostMetaJson(url: string): { links: { rel: string; href: string }[] } {
  return { links: [{ rel: WS_REL, href: url }] };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * Whether a WebSocket stream counts as encrypted (so SASL, PLAIN included, is
 * allowed with `require_tls`): it came over HTTPS as fastify sees it (TLS at a
 * proxy in `server.trusted_proxies`, which says so in X-Forwarded-Proto), or
 * straight from this machine with no proxy header (a local client, or tests).
 * No channel binding either way: the TLS, if any, is the proxy's.
 */
export function webSocketIsSecure(req: FastifyRequest): boolean {
  if (req.protocol === 'https') return true;
  const peer = req.socket.remoteAddress ?? '';
  const h = req.headers;
  return LOOPBACK.test(peer) && h['x-forwarded-for'] === undefined && h.forwarded === undefined;
}
