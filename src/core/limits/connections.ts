import { addressKey } from './address.js';

/**
 * Open connections per client address (by `addressKey`), so one address
 * cannot hold every socket the process can open. Memory is bounded by the
 * connections themselves: a key is dropped when its last connection closes.
 */
export interface ConnectionCounter {
  /** Counts a connection; false (and nothing counted) when the address is at the cap. */
  open(address: string): boolean;
  close(address: string): void;
  count(address: string): number;
}

export function createConnectionCounter(max: number): ConnectionCounter {
  const open = new Map<string, number>();
  return {
    open(address) {
      const k = addressKey(address);
      const n = open.get(k) ?? 0;
      if (n >= max) return false;
      open.set(k, n + 1);
      return true;
    },
    close(address) {
      const k = addressKey(address);
      const n = (open.get(k) ?? 0) - 1;
      if (n > 0) open.set(k, n);
      else open.delete(k);
    },
    count: (address) => open.get(addressKey(address)) ?? 0,
  };
}
