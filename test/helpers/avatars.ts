import sharp from 'sharp';
import type { Person } from './people.js';

/** A small solid PNG. */
export const png = (colour = 'blue', size = 32): Promise<Buffer> =>
  sharp({ create: { width: size, height: size, channels: 3, background: colour } })
    .png()
    .toBuffer();

/** Makes a and b contacts both ways over the native API. */
export async function befriend(a: Person, b: Person): Promise<void> {
  await a.c.requestContact(b.name);
  await b.c.approveContact(a.name);
}
