import { signal } from '@preact/signals';

/** The time, moved on every half minute, so "5 minutes ago" stays true while on screen. */
export const now = signal(Date.now());
setInterval(() => (now.value = Date.now()), 30_000);
