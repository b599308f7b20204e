import { ParleyError } from '../errors.js';

export const MAX_NAME_CHARS = 200;

/**
 * A file name as the uploader gave it, made harmless: only the last path segment
 * (no `../`, no `C:\`), no control or bidi-override characters, no leading dots,
 * at most MAX_NAME_CHARS characters. It is only ever a label: blobs are stored by
 * hash, never under this name.
 */
export function cleanName(raw: string): string {
  if (typeof raw !== 'string')
    throw new ParleyError('bad-request', 'name must be a string', { field: 'name' });
  const last = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = last
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/^[.\s]+/, '')
    .replace(/[\s.]+$/, '')
    .trim();
  const chars = [...cleaned];
  const name = chars.length > MAX_NAME_CHARS ? chars.slice(0, MAX_NAME_CHARS).join('') : cleaned;
  return name === '' ? 'file' : name;
}
