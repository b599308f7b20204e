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
  /** RFC 6121 3.4's stream feature: subscription pre-approval. */
  preApproval: 'urn:xmpp:features:pre-approval',
  /** XEP-0163 PEP over XEP-0060 publish-subscribe. */
  pubsub: 'http://jabber.org/protocol/pubsub',
  pubsubEvent: 'http://jabber.org/protocol/pubsub#event',
  pubsubOwner: 'http://jabber.org/protocol/pubsub#owner',
  pubsubErrors: 'http://jabber.org/protocol/pubsub#errors',
  pubsubPublishOptions: 'http://jabber.org/protocol/pubsub#publish-options',
  /** XEP-0084 user avatar. */
  avatarData: 'urn:xmpp:avatar:data',
  avatarMetadata: 'urn:xmpp:avatar:metadata',
  /** XEP-0153 vCard-based avatars, in presence. */
  vcardUpdate: 'vcard-temp:x:update',
  /** XEP-0172 user nickname. */
  nick: 'http://jabber.org/protocol/nick',
  /** XEP-0292 vCard4 over PEP. */
  vcard4: 'urn:xmpp:vcard4',
  /** XEP-0402 bookmarks. */
  bookmarks: 'urn:xmpp:bookmarks:1',
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
  vcard: 'vcard-temp',
  search: 'jabber:iq:search',
  data: 'jabber:x:data',
  /** XEP-0198 stream management, version 3. */
  sm: 'urn:xmpp:sm:3',
  /** XEP-0352 client state indication. */
  csi: 'urn:xmpp:csi:0',
  chatStates: 'http://jabber.org/protocol/chatstates',
  /** XEP-0184 delivery receipts. */
  receipts: 'urn:xmpp:receipts',
  /** XEP-0333 chat markers (received, displayed, acknowledged). */
  markers: 'urn:xmpp:chat-markers:0',
  /** XEP-0424 message retraction (0.4 and later), and the form before it over fastening. */
  retract: 'urn:xmpp:message-retract:1',
  retractOld: 'urn:xmpp:message-retract:0',
  fasten: 'urn:xmpp:fasten:0',
  /** XEP-0444 message reactions. */
  reactions: 'urn:xmpp:reactions:0',
  /** XEP-0461 message replies. */
  reply: 'urn:xmpp:reply:0',
  /** XEP-0428 fallback indication. */
  fallback: 'urn:xmpp:fallback:0',
  /** XEP-0334 message processing hints. */
  hints: 'urn:xmpp:hints',
  /** XEP-0115 entity capabilities. */
  caps: 'http://jabber.org/protocol/caps',
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
  /** XEP-0388 extensible SASL profile (SASL2). */
  sasl2: 'urn:xmpp:sasl:2',
  /** XEP-0386 Bind 2, inline in SASL2. */
  bind2: 'urn:xmpp:bind:0',
  /** XEP-0484 FAST tokens, inline in SASL2. */
  fast: 'urn:xmpp:fast:0',
  /** XEP-0440: the channel-binding types the server can offer. */
  saslCb: 'urn:xsf:sasl-cb:0',
} as const;
