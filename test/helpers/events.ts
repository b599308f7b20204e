import type { CoreEvent } from '../../src/core/events.js';

/**
 * A loosely typed event for tests of the plumbing (router, fanout, feed): any
 * name, fields spread at the top as core's events have them.
 */
export function event(
  name: string,
  fields: Record<string, unknown> = {},
  exceptSession?: string,
): CoreEvent {
  return {
    ...fields,
    name,
    ...(exceptSession === undefined ? {} : { exceptSession }),
  } as unknown as CoreEvent;
}

/** A field of a loosely typed event. */
export const field = (e: CoreEvent, key: string): unknown => (e as Record<string, unknown>)[key];
