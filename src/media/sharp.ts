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
        return {
          type: outType,
          width: meta.width ?? 0,
          height: meta.pageHeight ?? meta.height ?? 0,
        };
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        if (/pixel limit/i.test(text))
          throw new ImageRefused(
            `the image has more than ${limitInputPixels} pixels`,
            'too-many-pixels',
          );
        throw new ImageRefused(text.split('\n')[0]!.slice(0, 200), 'unreadable');
      }
    },
  };
}
