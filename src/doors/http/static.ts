import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Serving the built web client (web/dist) safely: only regular files under the
 * root, never a path that climbs out of it, with a content type we know.
 */

/** web/dist of this checkout: three levels up from src/doors/http/ and from dist/doors/http/. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export type StaticResult =
  | { kind: 'file'; body: Buffer; type: string }
  | { kind: 'bad-request'; text: string }
  | { kind: 'not-found' };

/**
 * Reads `rel` (already percent-decoded, relative to `root`). Refuses NUL bytes,
 * backslashes, `..` segments and anything that resolves outside `root`, hidden
 * files, unknown extensions, and whatever is not a regular file.
 */
export async function readStatic(root: string, rel: string): Promise<StaticResult> {
  if (rel.includes('\0')) return { kind: 'bad-request', text: 'the path contains a NUL byte' };
  if (rel.length > 1024) return { kind: 'bad-request', text: 'the path is too long' };
  const segments = rel.split('/');
  if (rel.includes('\\') || segments.some((s) => s === '..' || s.startsWith('.')))
    return { kind: 'not-found' };
  const base = resolve(root);
  const full = resolve(base, ...segments.filter((s) => s !== ''));
  if (!full.startsWith(base + sep)) return { kind: 'not-found' };
  const type = TYPES[extname(full).toLowerCase()];
  if (!type) return { kind: 'not-found' };
  try {
    const st = await stat(full);
    if (!st.isFile()) return { kind: 'not-found' };
    return { kind: 'file', body: await readFile(full), type };
  } catch {
    return { kind: 'not-found' };
  }
}

/** True when the web client has been built into `root` (it has an index.html). */
export async function hasWebClient(root: string): Promise<boolean> {
  try {
    return (await stat(resolve(root, 'index.html'))).isFile();
  } catch {
    return false;
  }
}

/**
 * What the web client may do: its own scripts and styles only, talk to this
 * origin (REST and WebSocket), show images from here, data: and blob: URLs.
 */
export const WEB_CLIENT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
