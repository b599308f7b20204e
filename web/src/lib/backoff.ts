/**
 * How long to wait before reconnect attempt `attempt` (0 = the first retry):
 * doubling from 1 s up to 30 s, with jitter between half and all of it so that
 * many clients dropped at once do not come back at once.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const full = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(full / 2 + (random() * full) / 2);
}
