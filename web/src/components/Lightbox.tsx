import { render } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import './lightbox.css';

/** A picture (or video) the lightbox can show: its full bytes and its name. */
export interface LightItem {
  src: string;
  name: string;
  video?: boolean;
}

/**
 * The pictures of a conversation, large, one at a time (loaded only when a
 * picture is first opened): arrows or ←/→ move between them, Download saves
 * the one shown, Escape, Close or a click beside the picture closes, and the
 * focus goes back to the picture that was opened.
 */
function Lightbox(props: { items: LightItem[]; start: number; onClose: () => void }) {
  const { items } = props;
  const [at, setAt] = useState(props.start);
  const close = useRef<HTMLButtonElement>(null);
  const item = items[at]!;
  const move = (d: number) => setAt((i) => Math.min(items.length - 1, Math.max(0, i + d)));

  // Before the first paint: a key pressed as soon as the picture shows must reach it.
  useLayoutEffect(() => {
    close.current?.focus();
    const keys = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose();
      else if (e.key === 'ArrowLeft') move(-1);
      else if (e.key === 'ArrowRight') move(1);
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    addEventListener('keydown', keys, true);
    return () => removeEventListener('keydown', keys, true);
  }, []);

  return (
    <div
      class="lightbox"
      role="dialog"
      aria-modal="true"
      aria-label={item.name}
      onClick={(e) => {
        if (e.target === e.currentTarget) props.onClose();
      }}
    >
      <div class="lightbox-bar">
        <span class="lightbox-name">{item.name}</span>
        {items.length > 1 && (
          <span class="lightbox-count">
            {at + 1} / {items.length}
          </span>
        )}
        <a href={item.src} download={item.name}>
          Download
        </a>
        <button type="button" ref={close} onClick={props.onClose}>
          Close
        </button>
      </div>
      {item.video ? (
        <video key={item.src} src={item.src} controls autoplay aria-label={item.name} />
      ) : (
        <img src={item.src} alt={item.name} />
      )}
      {at > 0 && (
        <button type="button" class="lightbox-prev" aria-label="Previous" onClick={() => move(-1)}>
          ‹
        </button>
      )}
      {at < items.length - 1 && (
        <button type="button" class="lightbox-next" aria-label="Next" onClick={() => move(1)}>
          ›
        </button>
      )}
    </div>
  );
}

let host: HTMLDivElement | undefined;

/** Opens the lightbox on `items[start]`; `opener` gets the focus back on close. */
export function openLightbox(items: LightItem[], start: number, opener?: HTMLElement): void {
  if (!items[start]) return;
  host ??= document.body.appendChild(document.createElement('div'));
  const shut = () => {
    render(null, host!);
    opener?.focus();
  };
  render(null, host);
  render(<Lightbox items={items} start={start} onClose={shut} />, host);
}
