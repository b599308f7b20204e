/**
 * Namespaces of the XMPP door beyond the stream's own (codec/ns.ts): one place,
 * so a typo in a URI is a compile error rather than a silent mismatch.
 */
export const XMLNS = {
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  roster: 'jabber:iq:roster',
  /** XEP-0237's stream feature. */
  rosterVer: 'urn:xmpp:features:rosterver',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  discoItems: 'http://jabber.org/protocol/disco#items',
  ping: 'urn:xmpp:ping',
  version: 'jabber:iq:version',
  sid: 'urn:xmpp:sid:0',
  delay: 'urn:xmpp:delay',
  correct: 'urn:xmpp:message-correct:0',
  carbons: 'urn:xmpp:carbons:2',
  forward: 'urn:xmpp:forward:0',
  last: 'jabber:iq:last',
  private: 'jabber:iq:private',
  time: 'urn:xmpp:time',
  register: 'jabber:iq:register',
  registerFeature: 'http://jabber.org/features/iq-register',
  blocking: 'urn:xmpp:blocking',
  blockingErrors: 'urn:xmpp:blocking:errors',
  mam: 'urn:xmpp:mam:2',
  mamExtended: 'urn:xmpp:mam:2#extended',
  mam1: 'urn:xmpp:mam:1',
  rsm: 'http://jabber.org/protocol/rsm',
  fulltext: 'urn:xmpp:fulltext:0',
  /** XEP-0440: the channel-binding types the server can offer. */
  saslCb: 'urn:xsf:sasl-cb:0',
} as const;
