import type { Attachment } from '../../../src/sdk/types.js';
import { fileSize } from '../../../src/sdk/size.js';
import { AudioPlayer } from './AudioPlayer.js';
import { fit, Picture } from './Picture.js';
import './files.css';

/** An attachment as shown; `blurhash` comes with pictures from servers that compute it. */
export type Shown = Attachment & { blurhash?: string };

/**
 * A message's files: pictures inline at a fixed size (a click opens the
 * lightbox, loaded then), sound in a player, video with its controls, anything
 * else as a card with a type badge, name, size and a download link. Everything
 * loads through the file's capability link (docs/protocol.md 13.4), which the
 * server serves with nosniff and a sandboxing CSP.
 */
export function Attachments(props: { files: readonly Shown[] }) {
  return (
    <div class="attachments">
      {props.files.map((f) =>
        isPicture(f.type) ? (
          <Picture key={f.id} f={f} onOpen={(e) => void open(e.currentTarget as HTMLElement)} />
        ) : f.type.startsWith('audio/') ? (
          <AudioPlayer key={f.id} src={f.link} name={f.name} />
        ) : f.type.startsWith('video/') ? (
          <div class="video" key={f.id}>
            <video
              class="file-video"
              controls
              preload="metadata"
              src={f.link}
              aria-label={f.name}
              {...(fit(f.width, f.height) ? { width: fit(f.width, f.height)!.w } : {})}
            />
            <button
              type="button"
              class="enlarge"
              data-full={f.link}
              data-name={f.name}
              data-video=""
              aria-label={`Open ${f.name} large`}
              onClick={(e) => void open(e.currentTarget)}
            >
              ⤢
            </button>
          </div>
        ) : (
          <div class="file-card" key={f.id}>
            <span class="file-kind" aria-hidden="true">
              {badge(f)}
            </span>
            <span class="file-about">
              <span class="file-name">{f.name}</span>
              <span class="file-size">
                {fileSize(f.size)} · {kindName(f.type)}
              </span>
            </span>
            <a href={f.link} download={f.name} aria-label={`Download ${f.name}`}>
              Download
            </a>
          </div>
        ),
      )}
    </div>
  );
}

/** Opens the lightbox on this picture or video, with every one of the conversation to move between. */
async function open(el: HTMLElement): Promise<void> {
  const root = el.closest('.messages') ?? el.parentElement!;
  const all = [...root.querySelectorAll<HTMLElement>('.attachments [data-full]')];
  const items = all.map((p) => ({
    src: p.dataset.full!,
    name: p.dataset.name ?? '',
    video: p.dataset.video !== undefined,
  }));
  const { openLightbox } = await import('./Lightbox.js');
  openLightbox(items, Math.max(0, all.indexOf(el)), el);
}

const isPicture = (t: string) =>
  ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'].includes(t);

/** A short badge for a file card: the file's extension, else its kind. */
function badge(f: Attachment): string {
  const ext = /\.([a-z0-9]{1,4})$/i.exec(f.name)?.[1];
  return (ext ?? kindName(f.type)).toUpperCase().slice(0, 4);
}

function kindName(type: string): string {
  if (type === 'application/pdf') return 'PDF';
  if (type === 'application/zip' || type === 'application/gzip') return 'archive';
  if (type.startsWith('text/')) return 'text';
  if (type.startsWith('image/')) return 'image';
  return 'file';
}
