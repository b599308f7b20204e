import { xml } from '../codec/element.js';
import { XMLNS } from '../xmlns.js';

/** A block or unblock push (XEP-0191 3.3, 3.4) for one person (pure). */
export function blockPush(kind: 'block' | 'unblock', jid: string, to: string, id: string) {
  return xml(
    'iq',
    { type: 'set', id, to },
    xml(kind, { xmlns: XMLNS.blocking }, xml('item', { jid })),
  );
}
