import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { decode, isBlurhashValid } from 'blurhash';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageRefused } from '../core/files/images.js';
import { tempDir } from '../../test/helpers/backends.js';
import { pngBomb } from '../../test/helpers/files.js';
import { createSharpImages } from './sharp.js';

describe('sharp images: thumbnails and placeholders', () => {
  const images = createSharpImages();
  const t = tempDir('parley-sharp-');
  afterAll(() => t.cleanup());

  it('a portrait image gets a 3x4 blurhash of its colours', async () => {
    const input = join(t.dir, 'in.png');
    writeFileSync(
      input,
      await sharp({ create: { width: 300, height: 600, channels: 3, background: '#ff0000' } })
        .png()
        .toBuffer(),
    );
    const r = await images.clean(input, join(t.dir, 'out.png'), 'image/png');
    expect(r).toMatchObject({ width: 300, height: 600, type: 'image/png' });
    expect(isBlurhashValid(r.blurhash!)).toEqual({ result: true });
    // Size flag: (x - 1) + (y - 1) * 9 for x=3, y=4 is 29, base83 "T".
    expect(r.blurhash![0]).toBe('T');
    const px = decode(r.blurhash!, 4, 4);
    expect(px[0]).toBeGreaterThan(240);
    expect(px[1]).toBeLessThan(15);
  });

  it('a thumbnail fits inside its size as WebP, from the first frame, never upscaled', async () => {
    const gif = await sharp({
      create: { width: 500, height: 250, channels: 4, background: 'blue' },
    })
      .gif()
      .toBuffer();
    const thumb = await images.thumbnail(Readable.from([gif]), 160);
    expect(await sharp(thumb).metadata()).toMatchObject({ format: 'webp', width: 160, height: 80 });
    const tiny = await sharp({ create: { width: 20, height: 10, channels: 3, background: 'red' } })
      .png()
      .toBuffer();
    expect(
      await sharp(await images.thumbnail(Readable.from([tiny]), 640)).metadata(),
    ).toMatchObject({
      width: 20,
      height: 10,
    });
  });

  it('a decompression bomb or garbage is refused, never decoded', async () => {
    await expect(images.thumbnail(Readable.from([pngBomb()]), 160)).rejects.toMatchObject({
      name: 'ImageRefused',
      reason: 'too-many-pixels',
    });
    const err = await images
      .thumbnail(Readable.from([Buffer.from('not an image')]), 160)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageRefused);
    expect(err).toMatchObject({ reason: 'unreadable' });
  });
});
