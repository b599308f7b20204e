/**
 * The real type of a file from its first bytes (magic numbers), never from the
 * name or the client's claim. Pure; `SNIFF_BYTES` of the head are enough.
 * Anything not recognised is `application/octet-stream`, served as a download.
 */
export const SNIFF_BYTES = 4096;

const ascii = (b: Uint8Array, at: number, s: string): boolean => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};
const bytes = (b: Uint8Array, at: number, xs: readonly number[]): boolean =>
  b.length >= at + xs.length && xs.every((x, i) => b[at + i] === x);

export function sniff(head: Uint8Array): string {
  const b = head.subarray(0, SNIFF_BYTES);
  if (bytes(b, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (bytes(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'image/gif';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'image/webp';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE')) return 'audio/wav';
  if (bytes(b, 0, [0x49, 0x49, 0x2a, 0x00]) || bytes(b, 0, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'image/tiff';
  if (ascii(b, 0, '%PDF-')) return 'application/pdf';
  if (bytes(b, 0, [0x50, 0x4b, 0x03, 0x04])) return 'application/zip';
  if (bytes(b, 0, [0x1f, 0x8b])) return 'application/gzip';
  if (bytes(b, 0, [0x1a, 0x45, 0xdf, 0xa3])) return webmKind(b);
  if (ascii(b, 0, 'OggS')) return 'audio/ogg';
  if (ascii(b, 0, 'fLaC')) return 'audio/flac';
  if (ascii(b, 0, 'ID3') || (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe6) === 0xe2))
    return 'audio/mpeg';
  if (ascii(b, 4, 'ftyp')) {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (['heic', 'heix', 'mif1', 'msf1'].includes(brand)) return 'image/heic';
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand === 'M4A ' || brand === 'M4B ') return 'audio/mp4';
    return 'video/mp4';
  }
  const text = utf8Text(b);
  if (text !== undefined) {
    // An SVG is text: never shown inline (it can carry script), but named for what it is.
    if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text))
      return 'image/svg+xml';
    return 'text/plain';
  }
  return 'application/octet-stream';
}

/**
 * WebM holds sound alone too (a browser's voice note): audio when the head names
 * codecs (EBML CodecID 0x86, a one-byte size, then the id) and all are sound
 * ("A_OPUS"), video otherwise, as before when the tracks are not in the head.
 */
function webmKind(b: Uint8Array): string {
  let audio = false;
  for (let i = b.indexOf(0x86); i >= 0 && i + 1 < b.length; i = b.indexOf(0x86, i + 1)) {
    const size = b[i + 1]! & 0x7f;
    if (!(b[i + 1]! & 0x80) || size < 3 || size > 32 || i + 2 + size > b.length) continue;
    if (ascii(b, i + 2, 'V_')) return 'video/webm';
    if (ascii(b, i + 2, 'A_')) audio = true;
  }
  return audio ? 'audio/webm' : 'video/webm';
}

/** The head as text when it is UTF-8 without NULs or other binary controls (a cut last character allowed). */
function utf8Text(b: Uint8Array): string | undefined {
  if (b.length === 0) return undefined;
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    // The head may end inside a character: drop up to three bytes and try once more.
    try {
      s = new TextDecoder('utf-8', { fatal: true }).decode(
        b.subarray(0, Math.max(0, b.length - 3)),
      );
      if (b.length < SNIFF_BYTES) return undefined;
    } catch {
      return undefined;
    }
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(s) ? undefined : s;
}

/** Shown inline by browsers (`Content-Disposition: inline`); everything else is a download. */
export function isInline(type: string): boolean {
  return (
    ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'].includes(type) ||
    type.startsWith('audio/') ||
    type.startsWith('video/')
  );
}

/** Images Parley re-encodes without their metadata (EXIF GPS, comments, appended payloads). */
export function isCleanableImage(type: string): boolean {
  return [
    'image/jpeg',
    'image/png',
    'image/gif',
    'image/webp',
    'image/tiff',
    'image/avif',
  ].includes(type);
}

/** `files.allowed_types`: exact types or `kind/*`; empty allows everything. */
export function typeAllowed(type: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
}
