import { type Element, xml } from '../codec/element.js';

/**
 * XEP-0004 data forms, as far as the door needs them: a submitted form read
 * into fields (bounded), and fields built for forms the server offers.
 */
export const DATA_FORMS = 'jabber:x:data';

/** Fields and values read from one form at most; more is a bad request. */
const MAX_FIELDS = 32;
const MAX_VALUES = 100;

/** A submitted form's fields by `var`, each with its values; undefined if malformed. */
export function readForm(x: Element): Map<string, string[]> | undefined {
  const fields = x.getChildren('field', DATA_FORMS);
  if (fields.length > MAX_FIELDS) return undefined;
  const out = new Map<string, string[]>();
  for (const f of fields) {
    const name = f.attr('var');
    if (name === undefined || out.has(name)) return undefined;
    const values = f.getChildren('value', DATA_FORMS).map((v) => v.text());
    if (values.length > MAX_VALUES) return undefined;
    out.set(name, values);
  }
  return out;
}

/** One field of a form the server sends. */
export function field(
  name: string,
  type: string,
  opts: { label?: string; values?: readonly string[]; required?: boolean } = {},
): Element {
  return xml(
    'field',
    { var: name, type, label: opts.label },
    opts.required === true && xml('required'),
    (opts.values ?? []).map((v) => xml('value', {}, v)),
  );
}

/** The hidden FORM_TYPE field every standard form starts with. */
export const formType = (ns: string): Element => field('FORM_TYPE', 'hidden', { values: [ns] });

/** XEP-0082 date and time (`2024-01-02T03:04:05Z`, fraction and offset optional) in ms. */
export function parseDateTime(v: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.exec(
    v.trim(),
  );
  if (!m) return undefined;
  const ms = Date.parse(
    `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${(m[7] ?? '').slice(0, 4)}${m[8]}`,
  );
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
