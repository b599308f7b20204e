/**
 * The cache of link previews, shared by every node: one row per URL, answers
 * and failures alike, each with its own expiry (a failure is retried sooner).
 */
export interface CachedPreview {
  url: string;
  /** The preview as JSON (`LinkPreview`), or undefined for a failure. */
  data?: string;
  /** The failure's condition, when it failed. */
  error?: string;
  fetchedAt: number;
  expiresAt: number;
}

export interface PreviewStore {
  /** The cached entry if it has not expired at `now`. */
  get(url: string, now: number): Promise<CachedPreview | undefined>;
  put(entry: CachedPreview): Promise<void>;
  /** Removes expired entries; answers how many. */
  sweep(now: number): Promise<number>;
  /** Whether the person wants link previews (default yes). */
  enabledFor(userId: string): Promise<boolean>;
  setEnabledFor(userId: string, on: boolean): Promise<void>;
}
