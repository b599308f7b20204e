import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { firstLink, loadPreviewSetting, previewsOn } from '../state/previews.js';

type Card = FunctionComponent<{ url: string }>;
let card: Promise<Card> | null = null;

/**
 * Where a link preview goes under a message: nothing unless the text has a link
 * and I want previews; the card's code is fetched the first time one is needed.
 */
export function LinkPreviewSlot({ text }: { text: string }) {
  const url = firstLink(text);
  const [Card, setCard] = useState<Card | null>(null);
  const on = previewsOn.value;
  useEffect(() => {
    if (!url) return;
    if (on === null) {
      loadPreviewSetting();
      return;
    }
    if (!on || Card) return;
    let live = true;
    card ??= import('./LinkPreview.js').then((m) => m.LinkPreview);
    void card.then((c) => {
      if (live) setCard(() => c);
    });
    return () => {
      live = false;
    };
  }, [url, on, Card]);
  return url && on && Card ? <Card url={url} /> : null;
}
