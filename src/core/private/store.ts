/**
 * Small private data per account that only its owner reads, by key (XMPP's
 * private XML storage, XEP-0049, keys an element's namespace and name). The
 * value is opaque to core.
 */
export interface PrivateStore {
  get(userId: string, key: string): Promise<string | undefined>;
  /**
   * Stores the value under the key, unless that would make more than
   * `maxKeys` keys for the user (a key already there is always replaced):
   * false, and nothing written.
   */
  put(userId: string, key: string, value: string, at: number, maxKeys: number): Promise<boolean>;
  remove(userId: string, key: string): Promise<void>;
}
