import type { AuthContext } from '../../core/accounts/service.js';
import type { Core } from '../../core/core.js';
import { ParleyError } from '../../core/errors.js';
import type { InputOf, Shape } from './json.js';

/**
 * What an entry of the operations table is. Kept apart from the tables
 * themselves (ops.ts, room-ops.ts) so each table imports this and neither
 * imports the other's module for its types.
 */
export interface OpContext {
  core: Core;
  auth?: AuthContext;
  address: string;
  /** The WebSocket connection asking, if any (its own events are not echoed). */
  connectionId?: string;
}

export interface Op {
  auth: boolean;
  shape: Shape;
  run(ctx: OpContext & { input: Record<string, unknown> }): Promise<unknown>;
}

/**
 * An entry of the table, its `input` typed by its shape: `runOp` calls `run` only
 * with what `checkShape` passed, so each field already has its shape's type and
 * the entry hands core typed values without checking or casting them again.
 */
export function op<const S extends Shape>(entry: {
  auth: boolean;
  shape: S;
  run(ctx: OpContext & { input: InputOf<S> }): Promise<unknown>;
}): Op {
  return entry as unknown as Op;
}

/** The signed-in caller; `runOp` has already refused an `auth: true` op without one. */
export const authed = (ctx: OpContext): AuthContext => {
  if (!ctx.auth) throw new ParleyError('not-authenticated', 'sign in first');
  return ctx.auth;
};
