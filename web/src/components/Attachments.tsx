import { useEffect, useState } from 'preact/hooks';
import type { Attachment } from '../../../src/sdk/types.js';
import { fileSize } from '../../../src/sdk/size.js';

/**
 * A message's files: pictures inline (a click opens them large), sound and video
 * with players, anything else as a card with name, size and a download link.
 * Everything loads through the file's capability link (docs/protocol.md 13.4),
 * which the server serves with nosniff and a sandboxing CSP.
 */
export function Attachments(props: { files: readonly Attachment[] }) {
  const [open, setOpen] = useState<Attachment | null>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(null);
    addEventListener('keydown', close);
    return () => removeEventListener('keydown', close);
  }, [open]);
  return (
    <div class="attachments">
      {props.files.map((f) =>
        isPicture(f.type) ? (
          <button type="button" class="picture" key={f.id} onClick={() => setOpen(f)}>
            <img
              src={f.link}
              alt={f.name}
              loading="lazy"
              {...(f.width && f.height ? { width: f.width, height: f.height } : {})}
            />
          </button>
        ) : f.type.startsWith('audio/') ? (
          <audio key={f.id} class="file-audio" controls preload="metadata" src={f.link} />
        ) : f.type.startsWith('video/') ? (
          <video key={f.id} class="file-video" controls preload="metadata" src={f.link} />
        ) : (
          <div class="file-card" key={f.id}>
            <span class="file-name">{f.name}</span>
            <span class="file-size">{fileSize(f.size)}</span>
            <a href={f.link} download={f.name}>
              Download
            </a>
          </div>
        ),
      )}
      {open && (
        <div class="lightbox" role="dialog" aria-label={open.name} onClick={() => setOpen(null)}>
          <img src={open.link} alt={open.name} />
          <a href={open.link} download={open.name} onClick={(e) => e.stopPropagation()}>
            Download {open.name}
          </a>
        </div>
      )}
    </div>
  );
}

const isPicture = (t: string) =>
  ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'].includes(t);
