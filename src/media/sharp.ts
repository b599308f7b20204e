import type { Readable } from 'node:stream';
import { encode } from 'blurhash';
import sharp from 'sharp';
import { ImageRefused, type ImageProcessor } from '../core/files/images.js';

/** More pixels than this is refused before decoding (a decompression bomb claims billions). */
export const MAX_IMAGE_PIXELS = 50_000_000;

/**
 * core/files' ImageProcessor with sharp (libvips): every uploaded image is
 * decoded and encoded anew. Nothing of the original survives but its pixels:
 * sharp writes no metadata unless asked (we never ask), so EXIF with GPS, XMP,
 * comments and bytes hidden after the image (polyglots) are gone.
 */
export function createSharpImages(o: { maxPixels?: number } = {}): ImageProcessor {
  const limitInputPixels = o.maxPixels ?? MAX_IMAGE_PIXELS;
  return {
    async clean(input, output, type) {
      const animated = type === 'image/gif' || type === 'image/webp';
      let outType = type;
      try {
        // rotate(): upright by the EXIF orientation, which is then dropped with the rest.
        let img = sharp(input, { limitInputPixels, animated, failOn: 'error' }).rotate();
        if (type === 'image/jpeg') img = img.jpeg({ quality: 90 });
        else if (type === 'image/png') img = img.png();
        else if (type === 'image/webp') img = img.webp({ quality: 90 });
        else if (type === 'image/gif') img = img.gif();
        else if (type === 'image/avif') img = img.avif();
        else {
          // TIFF and the like: browsers do not show them; a PNG they do.
          img = img.png();
          outType = 'image/png';
        }
        await img.toFile(output);
        const meta = await sharp(output, { limitInputPixels, animated }).metadata();
        const width = meta.width ?? 0;
        const height = meta.pageHeight ?? meta.height ?? 0;
        return { type: outType, width, height, blurhash: await blurhashOf(output, width, height) };
      } catch (err) {
        throw refused(err, limitInputPixels);
      }
    },

    async thumbnail(input, size) {
      // The first frame of an animation; stored images are upright and bare already.
      const img = sharp({ limitInputPixels, failOn: 'error' })
        .resize(size, size, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 });
      input.on('error', (err) => img.destroy(err));
      try {
        return await (input as Readable).pipe(img).toBuffer();
      } catch (err) {
        throw refused(err, limitInputPixels);
      } finally {
        input.destroy();
      }
    },
  };
}

function refused(err: unknown, limit: number): ImageRefused {
  const text = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(text))
    return new ImageRefused(`the image has more than ${limit} pixels`, 'too-many-pixels');
  return new ImageRefused(text.split('\n')[0]!.slice(0, 200), 'unreadable');
}

/**
 * The placeholder: the image shrunk to 32 px, encoded with 4x3 components (3x4 when
 * portrait): about 30 characters, enough for a blurred preview of the right colours.
 */
async function blurhashOf(path: string, width: number, height: number): Promise<string> {
  const { data, info } = await sharp(path, { animated: false })
    .resize(32, 32, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const [x, y] = height > width ? [3, 4] : [4, 3];
  return encode(new Uint8ClampedArray(data), info.width, info.height, x, y);
}
