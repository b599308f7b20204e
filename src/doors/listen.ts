import type { Server } from 'node:net';

/** Starts `s` listening; rejects with the listen error (a port in use...). */
export function listen(s: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host, port }, () => {
      s.off('error', reject);
      resolve();
    });
  });
}

/** The port `s` is bound to, once listening (useful with port 0). */
export function portOf(s: Server | undefined): number | undefined {
  const a = s?.address();
  return typeof a === 'object' && a ? a.port : undefined;
}
