import { signal } from '@preact/signals';
import { liveConnection } from './conn.js';

/** Who is typing to me: lowercase username -> when the notice expires (ms). */
export const typingFrom = signal<Record<string, number>>({});

const timers = new Map<string, ReturnType<typeof setTimeout>>();

function clear(who: string): void {
  clearTimeout(timers.get(who));
  timers.delete(who);
  if (!(who in typingFrom.value)) return;
  const { [who]: _gone, ...rest } = typingFrom.value;
  typingFrom.value = rest;
}

/** A `typing` event: show until `stop`, or until it expires without a new `start`. */
export function onTyping(d: Record<string, unknown>): void {
  const who = String(d.username ?? '').toLowerCase();
  if (!who) return;
  if (d.state !== 'start') return clear(who);
  const ms = typeof d.expiresInMs === 'number' ? d.expiresInMs : 6000;
  clearTimeout(timers.get(who));
  timers.set(
    who,
    setTimeout(() => clear(who), ms),
  );
  typingFrom.value = { ...typingFrom.value, [who]: Date.now() + ms };
}

/** A message from them ends their typing notice. */
export function stoppedTyping(who: string): void {
  clear(who.toLowerCase());
}

/** Renewed every few seconds while I type; the server allows 2 a second per user. */
const RENEW_MS = 4000;
let lastStart = { to: '', at: 0 };

export function iAmTyping(to: string): void {
  const now = Date.now();
  if (lastStart.to === to && now - lastStart.at < RENEW_MS) return;
  lastStart = { to, at: now };
  void liveConnection()
    ?.typing(to, 'start')
    .catch(() => {});
}

export function iStoppedTyping(to: string): void {
  if (lastStart.to !== to || lastStart.at === 0) return;
  lastStart = { to: '', at: 0 };
  void liveConnection()
    ?.typing(to, 'stop')
    .catch(() => {});
}

export function forgetTyping(): void {
  for (const who of Object.keys(typingFrom.value)) clear(who);
  lastStart = { to: '', at: 0 };
}
