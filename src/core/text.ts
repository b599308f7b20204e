import { ParleyError } from './errors.js';

/**
 * What a string arriving at any door may hold. PostgreSQL cannot store U+0000
 * (a NUL in a lookup is a 500 there), and the other C0 controls have no place
 * in a name or a line of text: they corrupt terminals and IRC lines. Doors call
 * `checkControls` on every string of a request before core sees it, so every
 * door refuses the same input the same way.
 *
 * - `line`: names, ids, cursors, single-line settings: no C0 control, no DEL.
 * - `text`: free text over several lines (message bodies, profile "about",
 *   passwords): tab, line feed and carriage return allowed, nothing else below
 *   U+0020, no DEL.
 */
export type TextKind = 'line' | 'text';

/** Index of the first character `kind` does not allow, or -1. */
export function findControl(s: string, kind: TextKind): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f) continue;
    if (kind === 'text' && (c === 0x09 || c === 0x0a || c === 0x0d)) continue;
    return i;
  }
  return -1;
}

/** Throws `bad-request` naming `field` when `value` holds a control character `kind` does not allow. */
export function checkControls(value: string, field: string, kind: TextKind): void {
  const at = findControl(value, kind);
  if (at < 0) return;
  const code = value.charCodeAt(at);
  const name =
    code === 0
      ? 'NUL characters'
      : `control characters (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  throw new ParleyError('bad-request', `field "${field}" must not contain ${name}`, { field });
}
