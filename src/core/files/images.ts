import type { Readable } from 'node:stream';

/**
 * What the file service needs from an image library (src/media/sharp.ts
 * implements it with sharp; core imports no native library).
 */
export interface ImageProcessor {
  /**
   * Decodes `input` and writes it to `output` re-encoded without any metadata
   * (EXIF, GPS, XMP, comments) and without whatever followed the image data,
   * turned upright by its orientation. Throws `ImageRefused` for an image it will
   * not decode (corrupt, or more pixels than the limit: a decompression bomb).
   */
  clean(
    input: string,
    output: string,
    type: string,
  ): Promise<{ type: string; width: number; height: number; blurhash?: string }>;
  /**
   * A WebP of the (first frame of the) image that fits inside `size` x `size`,
   * never larger than the image. Throws `ImageRefused` like `clean`.
   */
  thumbnail(input: Readable, size: number): Promise<Buffer>;
}

export class ImageRefused extends Error {
  override readonly name = 'ImageRefused';
  constructor(
    message: string,
    readonly reason: 'too-many-pixels' | 'unreadable',
  ) {
    super(message);
  }
}
