import { describe, expect, it } from 'vitest';
import { isCleanableImage, isInline, sniff, SNIFF_BYTES, typeAllowed } from './sniff.js';

const b = (...xs: (number | string)[]) =>
  Buffer.concat(
    xs.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from([x]))),
  );

describe('sniff', () => {
  it('knows the common types by their magic numbers, whatever the name says', () => {
    expect(sniff(b(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniff(b(0x89, 'PNG\r\n', 0x1a, '\n', 0, 0))).toBe('image/png');
    expect(sniff(b('GIF89a', 1, 0))).toBe('image/gif');
    expect(sniff(b('RIFF', 0, 0, 0, 0, 'WEBPVP8 '))).toBe('image/webp');
    expect(sniff(b('RIFF', 0, 0, 0, 0, 'WAVEfmt '))).toBe('audio/wav');
    expect(sniff(b('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniff(b('PK', 3, 4, 20, 0))).toBe('application/zip');
    expect(sniff(b(0x1a, 0x45, 0xdf, 0xa3, 0x9f))).toBe('video/webm');
    expect(sniff(b('OggS', 0))).toBe('audio/ogg');
    expect(sniff(b('ID3', 4, 0))).toBe('audio/mpeg');
    expect(sniff(b(0, 0, 0, 0x20, 'ftypisom'))).toBe('video/mp4');
    expect(sniff(b(0, 0, 0, 0x20, 'ftypqt  '))).toBe('video/quicktime');
    expect(sniff(b(0, 0, 0, 0x20, 'ftypM4A '))).toBe('audio/mp4');
    expect(sniff(b(0, 0, 0, 0x20, 'ftypavif'))).toBe('image/avif');
    expect(sniff(b('II*', 0))).toBe('image/tiff');
  });

  it('tells a WebM of sound alone (a voice note) from a video', () => {
    const ebml = b(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84, 'webm');
    const codec = (id: string) => b(0x86, 0x80 | id.length, id);
    expect(sniff(Buffer.concat([ebml, codec('A_OPUS')]))).toBe('audio/webm');
    expect(sniff(Buffer.concat([ebml, codec('V_VP8'), codec('A_OPUS')]))).toBe('video/webm');
    expect(sniff(Buffer.concat([ebml, codec('A_OPUS'), codec('V_VP9')]))).toBe('video/webm');
    // No tracks in the head, or a codec id cut off or with a bogus size: video, as before.
    expect(sniff(ebml)).toBe('video/webm');
    expect(sniff(Buffer.concat([ebml, b(0x86, 0x86, 'A_')]))).toBe('video/webm');
    expect(sniff(Buffer.concat([ebml, b(0x86, 0x06, 'A_OPUS')]))).toBe('video/webm');
    expect(sniff(Buffer.concat([ebml, b(0x86)]))).toBe('video/webm');
  });

  it('tells text, SVG and binary apart', () => {
    expect(sniff(Buffer.from('hello, wörld\n'))).toBe('text/plain');
    expect(sniff(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('image/svg+xml');
    expect(
      sniff(Buffer.from('<?xml version="1.0"?>\n<!-- c -->\n<svg><script>x</script></svg>')),
    ).toBe('image/svg+xml');
    // HTML stays text: served as a download with nosniff, never rendered.
    expect(sniff(Buffer.from('<html><script>alert(1)</script>'))).toBe('text/plain');
    expect(sniff(b('MZ', 0x90, 0, 3))).toBe('application/octet-stream');
    expect(sniff(b(0xff, 0xfe, 0x00))).toBe('application/octet-stream');
    expect(sniff(Buffer.alloc(0))).toBe('application/octet-stream');
  });

  it('survives hostile heads: truncated magic, a character cut at the sniff limit, huge input', () => {
    expect(sniff(b(0xff, 0xd8))).toBe('application/octet-stream');
    // Four letters are just text.
    expect(sniff(b('RIFF'))).toBe('text/plain');
    expect(sniff(b(0, 0, 0, 0x20, 'ftyp'))).toBe('video/mp4');
    const cut = Buffer.concat([Buffer.alloc(SNIFF_BYTES - 1, 97), Buffer.from('é')]);
    expect(sniff(cut)).toBe('text/plain');
    expect(sniff(Buffer.concat([Buffer.alloc(10), Buffer.alloc(10_000_000, 97)]))).toBe(
      'application/octet-stream',
    );
  });

  it('shows pictures, sound and video inline, never SVG; accepts by exact type or kind', () => {
    expect(isInline('image/png')).toBe(true);
    expect(isInline('audio/ogg')).toBe(true);
    expect(isInline('image/svg+xml')).toBe(false);
    expect(isInline('text/plain')).toBe(false);
    expect(isCleanableImage('image/svg+xml')).toBe(false);
    expect(typeAllowed('image/png', [])).toBe(true);
    expect(typeAllowed('image/png', ['image/*'])).toBe(true);
    expect(typeAllowed('imagex/png', ['image/*'])).toBe(false);
    expect(typeAllowed('application/pdf', ['image/*', 'application/pdf'])).toBe(true);
  });
});
