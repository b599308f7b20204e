import type { AuthContext } from '../../core/accounts/service.js';
import type { Core } from '../../core/core.js';
import { ParleyError } from '../../core/errors.js';
import type { FieldType } from './json.js';

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
  shape: Record<string, FieldType>;
  run(ctx: OpContext & { input: Record<string, unknown> }): Promise<unknown>;
}

/** The signed-in caller; `runOp` has already refused an `auth: true` op without one. */
export const authed = (ctx: OpContext): AuthContext => {
  if (!ctx.auth) throw new ParleyError('not-authenticated', 'sign in first');
  return ctx.auth;
};
