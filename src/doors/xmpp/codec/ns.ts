/**
 * Namespace names the XMPP codec uses (RFC 6120, RFC 7395). One place, so a
 * typo in a URI is a compile error rather than a silent mismatch.
 */
export const NS = {
  client: 'jabber:client',
  server: 'jabber:server',
  stream: 'http://etherx.jabber.org/streams',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  framing: 'urn:ietf:params:xml:ns:xmpp-framing',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const;
