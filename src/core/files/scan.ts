/**
 * Optional virus scanning (src/media/clamd.ts implements it with a running
 * ClamAV daemon). Core only asks about a complete local file before it is stored.
 */
export interface VirusScanner {
  /**
   * Resolves to the signature found, or null when the file is clean. Throws
   * ScannerUnavailable, or ScanTooLarge when the scanner refused the file's size.
   */
  scan(path: string): Promise<string | null>;
  /**
   * The largest file the scanner reads (clamd's StreamMaxLength), when known:
   * core decides before scanning what happens to a bigger one (FilesConfig).
   */
  readonly maxBytes?: number;
}

/** The scanner could not be asked or did not answer: the upload is refused (fail closed). */
export class ScannerUnavailable extends Error {
  override readonly name = 'ScannerUnavailable';
}

/**
 * The scanner refused the file as larger than it reads (clamd: "INSTREAM size
 * limit exceeded"): not an outage, and not a verdict either.
 */
export class ScanTooLarge extends Error {
  override readonly name = 'ScanTooLarge';
}
