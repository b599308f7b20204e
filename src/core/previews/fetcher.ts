/**
 * The outside world as link previews need it, implemented outside core
 * (src/outbound/http-fetcher.ts). Core decides which addresses are allowed and
 * follows redirects itself; the fetcher only resolves names and makes one
 * request to the one address it is given, so a name cannot resolve to a vetted
 * address for the check and to another for the connection (DNS rebinding).
 */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface FetchRequest {
  url: URL;
  /** Connect here, never to anything the host name resolves to later. */
  address: ResolvedAddress;
  /** Read at most this many body bytes. */
  maxBytes: number;
  signal: AbortSignal;
}

export interface FetchResponse {
  status: number;
  /** The Location header of a redirect, as sent. */
  location?: string;
  contentType: string;
  /** At most maxBytes of the body ('' unless the type is HTML). */
  body: Buffer;
  /** The body went on past maxBytes (or its Content-Length said it would). */
  truncated: boolean;
}

export interface PreviewFetcher {
  /** Every address the name resolves to; a literal IP answers itself. Throws when the name does not resolve. */
  resolve(host: string, signal: AbortSignal): Promise<ResolvedAddress[]>;
  /**
   * One GET with no cookies and no credentials. Reads the body only when
   * `wantBody(contentType)` says so. Rejects on a network failure, and with the
   * signal's reason when it aborts.
   */
  get(req: FetchRequest, wantBody: (contentType: string) => boolean): Promise<FetchResponse>;
}
