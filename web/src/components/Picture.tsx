import { useEffect, useRef, useState } from 'preact/hooks';
import type { Shown } from './Attachments.js';

/** The largest a picture is drawn in the timeline (CSS pixels). */
const MAX_W = 320;
const MAX_H = 240;

/** The box a picture takes before it loads, from its measured size, so the timeline never jumps. */
export function fit(width?: number, height?: number): { w: number; h: number } | undefined {
  if (!width || !height || width < 1 || height < 1) return undefined;
  const s = Math.min(1, MAX_W / width, MAX_H / height);
  return { w: Math.max(1, Math.round(width * s)), h: Math.max(1, Math.round(height * s)) };
}

/** Pictures whose thumbnail failed in this page: drawn whole from then on, not asked again. */
const noThumb = new Set<string>();

/**
 * Which bytes to draw: the server's 320 or 640 thumbnail (WebP) of a big
 * picture, by the box and the screen; the picture itself when it is small
 * already or a GIF (a thumbnail would stop it moving).
 */
function source(f: Shown, box: { w: number; h: number } | undefined): string {
  if (!box || f.type === 'image/gif' || Math.max(f.width!, f.height!) <= 640) return f.link;
  if (noThumb.has(f.link)) return f.link;
  const big = Math.max(box.w, box.h) * devicePixelRatio > 320 || innerWidth >= 1600;
  return `${f.link}/thumb/${big ? 640 : 320}`;
}

/**
 * A picture in a message: its blurhash (decoded by a module loaded on demand)
 * fills the box until the thumbnail arrives; a thumbnail the server does not
 * have falls back to the full picture. A click opens the lightbox.
 */
export function Picture(props: { f: Shown; onOpen: (e: MouseEvent) => void }) {
  const { f } = props;
  const box = fit(f.width, f.height);
  const [src, setSrc] = useState(() => source(f, box));
  const [loaded, setLoaded] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const hash = f.blurhash;
    if (!hash || loaded) return;
    let live = true;
    void import('../lib/blurhash.js').then((m) => {
      if (live && canvas.current) m.paintBlurhash(canvas.current, hash);
    });
    return () => {
      live = false;
    };
  }, [f.blurhash]);

  return (
    <button
      type="button"
      class={`picture${loaded ? ' loaded' : ''}`}
      data-full={f.link}
      data-name={f.name}
      aria-label={`Open ${f.name}`}
      style={box ? { width: `${box.w}px`, aspectRatio: `${f.width} / ${f.height}` } : undefined}
      onClick={props.onOpen}
    >
      {f.blurhash && !loaded && (
        <canvas ref={canvas} class="placeholder" width={32} height={32} aria-hidden="true" />
      )}
      <img
        src={src}
        alt={f.name}
        loading="lazy"
        decoding="async"
        {...(box ? { width: box.w, height: box.h } : {})}
        onLoad={() => setLoaded(true)}
        onError={() => {
          if (src === f.link) return;
          if (noThumb.size < 1000) noThumb.add(f.link);
          setSrc(f.link);
        }}
      />
    </button>
  );
}
