import { describe, expect, it } from 'vitest';
import { xml } from '../codec/element.js';
import { DATA_FORMS, parseDateTime, readForm } from './forms.js';

const form = (...fields: [string | undefined, string[]][]) =>
  xml(
    'x',
    { xmlns: DATA_FORMS, type: 'submit' },
    fields.map(([name, values]) =>
      xml(
        'field',
        { var: name },
        values.map((v) => xml('value', {}, v)),
      ),
    ),
  );

describe('XMPP data forms', () => {
  it('reads fields with their values', () => {
    const f = readForm(form(['FORM_TYPE', ['urn:xmpp:mam:2']], ['ids', ['a', 'b']], ['x', []]));
    expect(f?.get('FORM_TYPE')).toEqual(['urn:xmpp:mam:2']);
    expect(f?.get('ids')).toEqual(['a', 'b']);
    expect(f?.get('x')).toEqual([]);
  });

  it('refuses a field without a name, a repeated one, and too many', () => {
    expect(readForm(form([undefined, ['v']]))).toBeUndefined();
    expect(readForm(form(['a', []], ['a', []]))).toBeUndefined();
    const many = Array.from({ length: 33 }, (_, i): [string, string[]] => [`f${i}`, []]);
    expect(readForm(form(...many))).toBeUndefined();
    expect(readForm(form(['ids', Array.from({ length: 101 }, () => 'x')]))).toBeUndefined();
  });

  it('reads XEP-0082 times and refuses anything else', () => {
    expect(parseDateTime('2024-01-02T03:04:05Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseDateTime('2024-01-02T03:04:05.123456Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 123));
    expect(parseDateTime('2024-01-02T05:04:05+02:00')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    for (const bad of [
      '',
      'yesterday',
      '2024-01-02',
      '2024-13-02T03:04:05Z',
      '1e9',
      '-2024-01-02T03:04:05Z',
    ])
      expect(parseDateTime(bad)).toBeUndefined();
  });
});
