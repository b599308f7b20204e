import { isUtf8 } from 'node:buffer';
import { ParleyError } from '../../core/errors.js';
import { checkControls } from '../../core/text.js';

/**
 * Nesting depth of a JSON text, counted without parsing (strings skipped), so
 * a hostile `[[[[...` is refused before JSON.parse builds it.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Decodes and parses a request body or frame with every limit applied. */
export function parseJsonBytes(
  bytes: Buffer,
  limits: { maxBytes: number; maxDepth: number },
): unknown {
  if (bytes.length > limits.maxBytes)
    throw new ParleyError(
      'payload-too-large',
      `the frame is ${bytes.length} bytes; the limit is ${limits.maxBytes}`,
    );
  if (!isUtf8(bytes)) throw new ParleyError('bad-request', 'the data is not valid UTF-8');
  return parseJsonText(bytes.toString('utf8'), limits.maxDepth);
}

export function parseJsonText(text: string, maxDepth: number): unknown {
  if (jsonDepth(text) > maxDepth)
    throw new ParleyError('bad-request', `JSON is nested deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ParleyError('bad-request', 'the data is not valid JSON');
  }
}

/**
 * `text`: a required string of free text whose length core checks itself (message
 * bodies, larger than MAX_STRING). `prose`: free text within MAX_STRING (passwords,
 * "about", notes, reasons). Both may hold tabs and line breaks; every other string
 * is one line (see core/text.ts).
 */
export type FieldType =
  | 'text'
  | 'prose'
  | 'prose?'
  | 'string'
  | 'string?'
  | 'number'
  | 'number?'
  | 'boolean?'
  | 'any?'
  | 'string|null?'
  | 'number|null?'
  | 'strings?';

export type Shape = Readonly<Record<string, FieldType>>;

/** The TypeScript type a field of each `FieldType` has once `checkShape` passed it. */
type ValueOf<T extends FieldType> = T extends 'text' | 'prose' | 'prose?' | 'string' | 'string?'
  ? string
  : T extends 'number' | 'number?'
    ? number
    : T extends 'boolean?'
      ? boolean
      : T extends 'string|null?'
        ? string | null
        : T extends 'number|null?'
          ? number | null
          : T extends 'strings?'
            ? readonly string[]
            : unknown;

type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends `${string}?` ? K : never;
}[keyof S];

/** What `checkShape(input, shape)` returns: the input, typed by its shape. */
export type InputOf<S extends Shape> = {
  [K in Exclude<keyof S, OptionalKeys<S>>]: ValueOf<S[K]>;
} & { [K in OptionalKeys<S>]?: ValueOf<S[K]> };

const MAX_STRING = 8192;

/** Every string inside an `any?` value (keys included) is one line: rooms cursors, groups. */
function checkNested(v: unknown, field: string): void {
  if (typeof v === 'string') checkControls(v, field, 'line');
  else if (typeof v === 'object' && v !== null)
    for (const [k, inner] of Object.entries(v)) {
      if (!Array.isArray(v)) checkControls(k, field, 'line');
      checkNested(inner, field);
    }
}

/**
 * Checks an input object against a flat shape: unknown keys, wrong types and
 * control characters (core/text.ts) are refused with the field named, so no
 * string core sees holds a NUL. Meaning (lengths, ranges) is core's job.
 */
export function checkShape<const S extends Shape>(input: unknown, shape: S): InputOf<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ParleyError('bad-request', 'the request must be a JSON object');
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(shape, key))
      throw new ParleyError('bad-request', `unknown field "${key.slice(0, 40)}"`, {
        field: key.slice(0, 40),
      });
  }
  for (const [key, type] of Object.entries(shape)) {
    const v = obj[key];
    const optional = type.endsWith('?');
    if (v === undefined) {
      if (!optional)
        throw new ParleyError('bad-request', `field "${key}" is required`, { field: key });
      continue;
    }
    if (type === 'any?') {
      checkNested(v, key);
      continue;
    }
    if (type === 'strings?') {
      // The texts core used to give for contact groups (docs/protocol.md 5.19).
      if (!Array.isArray(v))
        throw new ParleyError('bad-request', `${key} must be a list of names`, { field: key });
      for (const item of v as unknown[]) {
        if (typeof item !== 'string')
          throw new ParleyError('bad-request', `${key} must be a string`, { field: key });
        checkControls(item, key, 'line');
      }
      continue;
    }
    if (type === 'text') {
      if (typeof v !== 'string')
        throw new ParleyError('bad-request', `field "${key}" must be string`, { field: key });
      checkControls(v, key, 'text');
      continue;
    }
    const base = type.replace('?', '').replace('prose', 'string');
    const ok =
      (v === null && base.endsWith('|null')) ||
      (base.startsWith('string') && typeof v === 'string') ||
      (base.startsWith('number') && typeof v === 'number' && Number.isFinite(v)) ||
      (base.startsWith('boolean') && typeof v === 'boolean');
    if (!ok)
      throw new ParleyError('bad-request', `field "${key}" must be ${base.replace('|', ' or ')}`, {
        field: key,
      });
    if (typeof v === 'string') {
      if (v.length > MAX_STRING)
        throw new ParleyError('bad-request', `field "${key}" is too long`, { field: key });
      checkControls(v, key, type.startsWith('prose') ? 'text' : 'line');
    }
  }
  return obj as InputOf<S>;
}
