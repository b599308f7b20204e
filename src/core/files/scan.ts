/**
 * Optional virus scanning (src/media/clamd.ts implements it with a running
 * ClamAV daemon). Core only asks about a complete local file before it is stored.
 */
export interface VirusScanner {
  /** Resolves to the signature found, or null when the file is clean. Throws ScannerUnavailable. */
  scan(path: string): Promise<string | null>;
}

/** The scanner could not be asked or did not answer: the upload is refused (fail closed). */
export class ScannerUnavailable extends Error {
  override readonly name = 'ScannerUnavailable';
}
