import { signal } from '@preact/signals';
import type { LinkPreview } from '../../../src/sdk/index.js';
import { client } from './client.js';

/**
 * Link previews as the web client keeps them: whether I want them (my privacy
 * setting `linkPreviews`, read once) and the previews already asked for, so a
 * message scrolled back into view does not ask again. Bounded: the oldest go.
 */
export const previewsOn = signal<boolean | null>(null);

let asked: Promise<void> | null = null;
/** Reads my setting once per page; PrivacySettings writes `previewsOn` when I change it. */
export function loadPreviewSetting(): void {
  asked ??= client
    .privacy()
    .then((p) => {
      previewsOn.value = p.linkPreviews !== false;
    })
    .catch(() => {
      asked = null; // not known: ask again with the next message that has a link
    });
}

const MAX_KEPT = 300;
const kept = new Map<string, Promise<LinkPreview | null>>();

/** The preview of a URL, or null when there is none to show (any refusal is just no card). */
export function previewOf(url: string): Promise<LinkPreview | null> {
  let p = kept.get(url);
  if (!p) {
    p = client.linkPreview(url).catch(() => null);
    kept.set(url, p);
    if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value as string);
  }
  return p;
}

/** The first http(s) link in a message's text, the one a card is shown for. */
export function firstLink(text: string): string | undefined {
  const m = /\bhttps?:\/\/[^\s<>"'`]+/i.exec(text);
  if (!m) return undefined;
  const url = m[0].replace(/[.,;:!?)\]}]+$/, '');
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
