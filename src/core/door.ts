/**
 * A door is one way in (the native WebSocket + REST door, IRC, XMPP...): a
 * listener that turns connections into sessions and speaks one wire format.
 * main.ts builds the list of doors from the configuration (each door has its
 * own section), starts them in order, and on shutdown drains them all, then
 * stops them in order. `/readyz` reports every door's problems beside the
 * store's and the bus's.
 */
export interface Door {
  /** Short and stable ('native', 'irc', 'xmpp'): readiness problems and logs name it. */
  readonly name: string;
  /** Opens its listeners; resolves once it accepts connections. */
  start(): Promise<void>;
  /**
   * Stops taking new work (new connections or requests get a clear refusal),
   * asks its clients to leave, and resolves when in-flight work has finished.
   * The caller bounds the wait (`server.shutdown_grace_seconds`) and calls stop()
   * either way.
   */
  drain(): Promise<void>;
  /** Releases whatever remains at once (listeners, sockets, timers). */
  stop(): Promise<void>;
  /** Empty when the door serves; otherwise what is wrong with it, in plain words. */
  problems(): Promise<string[]>;
}
