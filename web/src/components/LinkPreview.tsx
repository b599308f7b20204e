import { useEffect, useState } from 'preact/hooks';
import type { LinkPreview as Preview } from '../../../src/sdk/index.js';
import { safeHref } from '../lib/linkify.js';
import { previewOf } from '../state/previews.js';
import './link-preview.css';

/**
 * The card under a message with a link: site, title and description, as text.
 * Loaded on demand (LinkPreviewSlot), so the first paint does not pay for it.
 * The page's image is not shown: loading it from its host would tell that host
 * who reads the chat, and the server does not proxy images yet.
 */
export function LinkPreview({ url }: { url: string }) {
  const [p, setP] = useState<Preview | null>(null);
  useEffect(() => {
    let live = true;
    setP(null);
    void previewOf(url).then((r) => {
      if (live) setP(r);
    });
    return () => {
      live = false;
    };
  }, [url]);
  const href = p && safeHref(p.url);
  if (!p || !href || (!p.title && !p.description)) return null;
  return (
    <a class="link-preview" href={href} target="_blank" rel="noopener noreferrer">
      {p.siteName && <span class="lp-site">{p.siteName}</span>}
      {p.title && <strong class="lp-title">{p.title}</strong>}
      {p.description && <span class="lp-desc">{p.description}</span>}
    </a>
  );
}
