/**
 * An event is what core hands the router for a user. Doors translate events
 * into their own wire form; an event a door does not know is skipped by it.
 * `name` is dotted (`profile.updated`, `session.revoked`); `data` is plain JSON.
 */
export interface ParleyEvent {
  name: string;
  data: Record<string, unknown>;
  /** When set, the event is not delivered to this session (the one that caused it). */
  exceptSession?: string;
  /**
   * The event's wire form, memoised by the first door that writes it: one event
   * delivered to many sessions (a room's members) is serialised once.
   */
  encoded?: string;
}

export function event(
  name: string,
  data: Record<string, unknown>,
  exceptSession?: string,
): ParleyEvent {
  return exceptSession === undefined ? { name, data } : { name, data, exceptSession };
}
