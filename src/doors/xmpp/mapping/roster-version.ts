import { createHash } from 'node:crypto';
import type { Element } from '../codec/element.js';
import { serialize } from '../codec/serialize.js';

/**
 * XEP-0237 roster versioning, derived rather than stored: the version is a
 * hash of the roster's items as this door writes them, so the same contact
 * list always gives the same version on any node, and any change gives
 * another. A stream that asked with a version keeps the items it was sent and
 * applies each push to them, so the push carries the version a fresh get
 * would give. A version that went stale (a push raced a get) only costs the
 * client a full roster next time: a version is never reused for another list.
 */
export class RosterVersion {
  private readonly items = new Map<string, string>();

  /** The roster as read: item elements by JID. */
  constructor(items: readonly Element[]) {
    for (const el of items) this.items.set(el.attr('jid') ?? '', serialize(el));
  }

  /** A push: the item as it is now, or removed (`subscription='remove'`). Returns the new version. */
  apply(item: Element): string {
    const jid = item.attr('jid') ?? '';
    if (item.attr('subscription') === 'remove') this.items.delete(jid);
    else this.items.set(jid, serialize(item));
    return this.version();
  }

  version(): string {
    const h = createHash('sha256');
    for (const jid of [...this.items.keys()].sort()) h.update(this.items.get(jid)!).update('\n');
    return h.digest('base64url').slice(0, 22);
  }
}
