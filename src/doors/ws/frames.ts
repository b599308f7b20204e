/** Version of the native protocol announced in the hello frame. */
export const PROTOCOL_VERSION = 1;

/** Close codes of the native protocol (docs/protocol.md). */
export const CLOSE = {
  goingAway: 1001,
  /** The server cannot serve this now (a database outage): retry later, same token. */
  tryAgainLater: 1013,
  tooBig: 1009,
  notAuthenticated: 4001,
  sessionEnded: 4002,
  policy: 4008,
  rateLimited: 4029,
} as const;
