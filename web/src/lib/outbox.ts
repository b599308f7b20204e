/**
 * Messages the person sent that the server has not acknowledged yet. Kept in
 * localStorage so that a reload, a crash of the tab or a laptop lid closing
 * loses nothing; each keeps its client id for life, so sending it again after
 * an unanswered attempt returns the stored message instead of a second copy.
 */
export interface Outgoing {
  clientId: string;
  /** A direct message (to a username) or a room message (to a room name). */
  kind: 'dm' | 'room';
  to: string;
  text: string;
  replyTo?: string;
  /** Ids of files the server already stored (a send with files is retried like any other). */
  attachments?: string[];
  createdAt: number;
}

const MAX_TEXT = 64 * 1024;

function valid(o: unknown): o is Outgoing {
  if (typeof o !== 'object' || o === null) return false;
  const x = o as Record<string, unknown>;
  return (
    typeof x.clientId === 'string' &&
    x.clientId.length > 0 &&
    x.clientId.length <= 128 &&
    (x.kind === 'dm' || x.kind === 'room') &&
    typeof x.to === 'string' &&
    x.to.length > 0 &&
    x.to.length <= 128 &&
    typeof x.text === 'string' &&
    x.text.length <= MAX_TEXT &&
    (x.replyTo === undefined || typeof x.replyTo === 'string') &&
    (x.attachments === undefined ||
      (Array.isArray(x.attachments) &&
        x.attachments.length <= 10 &&
        x.attachments.every((a) => typeof a === 'string' && a.length <= 64))) &&
    typeof x.createdAt === 'number' &&
    Number.isFinite(x.createdAt)
  );
}

/** Reads a stored outbox; anything damaged is dropped rather than sent. */
export function parseOutbox(raw: string | null): Outgoing[] {
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    const seen = new Set<string>();
    return list.filter((o): o is Outgoing => {
      if (!valid(o) || seen.has(o.clientId)) return false;
      seen.add(o.clientId);
      return true;
    });
  } catch {
    return [];
  }
}

/**
 * Whether a failed send is worth trying again later with the same client id:
 * the server was unreachable, busy or rate-limiting. Anything else (too long,
 * blocked, not a member, ...) will fail the same way again: the person sees
 * the error and decides.
 */
export function worthRetrying(condition: string | undefined, status?: number): boolean {
  if (condition === 'unavailable' || condition === 'rate-limited') return true;
  if (condition === 'internal-error') return true;
  return status !== undefined && status >= 500;
}
