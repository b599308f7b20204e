/**
 * A blurhash (the server's `attachment.blurhash`) decoded into pixels: a blurred
 * stand-in drawn while the picture loads. Written from the format's description
 * (base 83, one DC colour then AC cosine terms); loaded only when a message with
 * a picture is shown. Pure: a bad hash gives `undefined`, never an exception.
 */
const DIGITS =
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~';

function base83(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = DIGITS.indexOf(s[i]!);
    if (d < 0) return NaN;
    v = v * 83 + d;
  }
  return v;
}

const toLinear = (c: number) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};

const toSrgb = (v: number) => {
  const x = Math.max(0, Math.min(1, v));
  return Math.round(x <= 0.0031308 ? x * 12.92 * 255 : (1.055 * x ** (1 / 2.4) - 0.055) * 255);
};

const signedSquare = (v: number) => Math.sign(v) * v * v;

/** RGBA pixels (`width * height * 4`), or undefined when `hash` is not a blurhash. */
export function decodeBlurhash(
  hash: string,
  width: number,
  height: number,
): Uint8ClampedArray<ArrayBuffer> | undefined {
  if (typeof hash !== 'string' || hash.length < 6 || hash.length > 100) return undefined;
  if (!(width > 0 && height > 0 && width * height <= 64 * 64)) return undefined;
  const sizeFlag = base83(hash, 0, 1);
  const nx = (sizeFlag % 9) + 1;
  const ny = Math.floor(sizeFlag / 9) + 1;
  if (!(ny <= 9) || hash.length !== 4 + 2 * nx * ny) return undefined;
  const max = (base83(hash, 1, 2) + 1) / 166;
  const dc = base83(hash, 2, 6);
  if (Number.isNaN(max) || Number.isNaN(dc)) return undefined;
  const colours: [number, number, number][] = [
    [toLinear(dc >> 16), toLinear((dc >> 8) & 255), toLinear(dc & 255)],
  ];
  for (let i = 1; i < nx * ny; i++) {
    const ac = base83(hash, 4 + i * 2, 6 + i * 2);
    if (Number.isNaN(ac)) return undefined;
    const q = [Math.floor(ac / 361), Math.floor(ac / 19) % 19, ac % 19];
    colours.push(q.map((c) => signedSquare((c - 9) / 9) * max) as [number, number, number]);
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ny; j++) {
        const cy = Math.cos((Math.PI * y * j) / height);
        for (let i = 0; i < nx; i++) {
          const basis = Math.cos((Math.PI * x * i) / width) * cy;
          const c = colours[i + j * nx]!;
          r += c[0] * basis;
          g += c[1] * basis;
          b += c[2] * basis;
        }
      }
      const at = 4 * (x + y * width);
      out[at] = toSrgb(r);
      out[at + 1] = toSrgb(g);
      out[at + 2] = toSrgb(b);
      out[at + 3] = 255;
    }
  }
  return out;
}

/** Paints a blurhash into a (small) canvas; false when the hash is bad. */
export function paintBlurhash(canvas: HTMLCanvasElement, hash: string): boolean {
  const { width, height } = canvas;
  const pixels = decodeBlurhash(hash, width, height);
  const ctx = pixels && canvas.getContext('2d');
  if (!pixels || !ctx) return false;
  ctx.putImageData(new ImageData(pixels, width, height), 0, 0);
  return true;
}
