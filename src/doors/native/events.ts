import type { CoreEvent, LogEvent } from '../../core/events.js';
import { messageView, roomMessageView } from './views.js';

/**
 * Core's domain events as the native protocol's `{ name, data }`
 * (docs/protocol.md 6.7 and 12.31). Most events' fields are already the
 * protocol's; messages become their views. The JSON text of a live event is
 * cached per event object: one event reaches every member of a room.
 */
export interface NativeEvent {
  name: string;
  data: Record<string, unknown>;
}

export function nativeEvent(e: CoreEvent): NativeEvent {
  // The hot path (a direct message) builds its data directly, without a rest copy.
  if (e.name === 'message')
    return {
      name: e.name,
      data: { seq: e.seq, change: e.change, message: messageView(e.message) },
    };
  const { name: _n, exceptSession: _x, ...rest } = e as CoreEvent & { exceptSession?: string };
  if (e.name === 'room.message')
    return { name: e.name, data: { ...rest, message: roomMessageView(e.message) } };
  return { name: e.name, data: rest };
}

/**
 * This door's encoding cache: a property under a symbol only this module holds,
 * on the event object (other doors keep their own; JSON and the bus never see a
 * symbol key). A WeakMap would do the same at a GC cost per event.
 */
const TEXT = Symbol('native json');

/** `{"type":"event","name":...,"data":...}`, built once per event object. */
export function eventJson(e: CoreEvent): string {
  const held = e as CoreEvent & { [TEXT]?: string };
  let t = held[TEXT];
  if (t === undefined) {
    const n = nativeEvent(e);
    t = JSON.stringify({ type: 'event', name: n.name, data: n.data });
    held[TEXT] = t;
  }
  return t;
}

/** A log event as `messages.sync` lists it: `{ seq, name, data }`, data without the seq. */
export function syncEntry(e: LogEvent): {
  seq: number;
  name: string;
  data: Record<string, unknown>;
} {
  const n = nativeEvent(e);
  const { seq: _s, ...data } = n.data;
  return { seq: e.seq ?? 0, name: n.name, data };
}
