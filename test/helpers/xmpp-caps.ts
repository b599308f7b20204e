import { createHash } from 'node:crypto';
import type { RawXmpp } from './xmpp.js';

/**
 * A raw XMPP client's entity capabilities (XEP-0115), for PEP tests: what it
 * hears is the `+notify` features of its caps. `announce` sends a presence
 * with the caps of `features`, answers the door's disco#info query if it asks
 * (it asks once per hash it does not know), and resolves once the door has
 * taken the answer (a ping after it is answered: one stream, in order).
 */
const INFO = 'http://jabber.org/protocol/disco#info';

export function capsVer(features: readonly string[]): string {
  return createHash('sha1')
    .update(
      'client/phone//Test<' +
        [...new Set(features)]
          .sort()
          .map((f) => `${f}<`)
          .join(''),
    )
    .digest('base64');
}

let pings = 0;

async function ping(c: RawXmpp): Promise<void> {
  const id = `caps-ping-${++pings}`;
  const mark = c.events.length;
  c.send(`<iq type='get' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`);
  await c.iqResult(id, mark);
}

export async function announce(c: RawXmpp, nodes: readonly string[], presence = ''): Promise<void> {
  const features = [INFO, 'http://jabber.org/protocol/caps', ...nodes.map((n) => `${n}+notify`)];
  const ver = capsVer(features);
  const mark = c.events.length;
  c.send(
    `<presence>${presence}<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://test.example' ver='${ver}'/></presence>`,
  );
  await ping(c);
  const q = c.events
    .slice(mark)
    .flatMap((e) => (e.type === 'stanza' ? [e.element] : []))
    .find(
      (el) =>
        el.name === 'iq' &&
        el.attr('type') === 'get' &&
        el.getChild('query', INFO)?.attr('node') === `https://test.example#${ver}`,
    );
  if (!q) return;
  c.send(
    `<iq type='result' id='${q.attr('id')}' to='${q.attr('from')}'><query xmlns='${INFO}' node='https://test.example#${ver}'><identity category='client' type='phone' name='Test'/>${features.map((f) => `<feature var='${f}'/>`).join('')}</query></iq>`,
  );
  await ping(c);
}
