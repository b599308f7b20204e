import type { CoreEvent } from '../../../core/events.js';
import type { IrcConnection } from '../connection.js';
import { tellMarker } from './markers.js';

/**
 * News from core whose IRC form needs a lookup first (a marker's position named
 * by its message's time): told after the lines the pure mapping gives. `own`:
 * this connection caused it and has had its answer.
 */
export function liveExtras(c: IrcConnection, e: CoreEvent, own: boolean): void {
  if (own) return;
  if (e.name === 'marker' || e.name === 'room.marker') void tellMarker(c, e);
}
