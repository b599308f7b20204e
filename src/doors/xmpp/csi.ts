import type { Element } from './codec/element.js';
import { XMLNS } from './xmlns.js';

/**
 * XEP-0352 client state indication for one stream (pure): while the client
 * says it is inactive, what it does not need at once is held back, only the
 * latest per contact: presence updates, and chat states (typing) that carry
 * no body. Messages, iqs, subscription requests and errors go out at once.
 * `<active/>` flushes what is held, in the order of the latest changes.
 */

/** Contacts held for at once; past it everything held goes out (bounded memory). */
export const MAX_HELD = 1000;

export class ClientState {
  inactive = false;
  /** Made when something is first held (most clients never go inactive). */
  private held: Map<string, Element> | undefined;

  /** The key it is held under, or undefined when it must go out now. */
  static holdKey(el: Element): string | undefined {
    const from = el.attr('from') ?? '';
    if (el.name === 'presence') {
      const type = el.attr('type');
      return type === undefined || type === 'unavailable' ? `p ${from}` : undefined;
    }
    if (
      el.name === 'message' &&
      el.getChild('body') === undefined &&
      el.elements().some((c) => c.ns === XMLNS.chatStates) &&
      el.elements().every((c) => c.ns === XMLNS.chatStates)
    )
      return `c ${from}`;
    return undefined;
  }

  /**
   * True when `el` was held (so it must not be written now). Returns what must
   * be written first when the buffer is full (everything held so far).
   */
  hold(el: Element): { held: boolean; flush: Element[] } {
    if (!this.inactive) return { held: false, flush: [] };
    const key = ClientState.holdKey(el);
    if (key === undefined) return { held: false, flush: [] };
    // Deleted first: the latest goes to the end, so a flush keeps the order of changes.
    const held = (this.held ??= new Map());
    held.delete(key);
    held.set(key, el);
    if (held.size > MAX_HELD) return { held: true, flush: this.flush() };
    return { held: true, flush: [] };
  }

  /** Everything held, oldest first; the buffer is emptied. */
  flush(): Element[] {
    const out = this.held ? [...this.held.values()] : [];
    this.held?.clear();
    return out;
  }

  get size(): number {
    return this.held?.size ?? 0;
  }
}
