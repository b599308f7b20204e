import type { ParleyConnection } from '../../../src/sdk/index.js';

/** The live connection, when there is one (set by live.ts; read by typing.ts). */
let current: ParleyConnection | null = null;

export function liveConnection(): ParleyConnection | null {
  return current;
}

export function setLiveConnection(c: ParleyConnection | null): void {
  current = c;
}
