import { useEffect, useRef } from 'preact/hooks';
import type { RefObject } from 'preact';

/**
 * Files dropped anywhere on the open conversation (its `section.conversation`:
 * the message list, the header, the composer) go to the composer, as in Slack
 * and Telegram: people aim at the conversation, not at the message box. While
 * files are dragged over it the zone has the `dropping` class.
 */
export function useDropZone(
  inside: RefObject<HTMLElement>,
  attach: ((files: File[]) => void) | undefined,
): void {
  const take = useRef(attach);
  take.current = attach;
  const enabled = attach !== undefined;
  useEffect(() => {
    const zone = inside.current?.closest<HTMLElement>('section.conversation') ?? inside.current;
    if (!zone || !enabled) return;
    const carriesFiles = (e: DragEvent) => !!e.dataTransfer?.types.includes('Files');
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      zone.classList.add('dropping');
    };
    const leave = (e: DragEvent) => {
      // Leaving for a child of the zone is not leaving the zone.
      if (!zone.contains(e.relatedTarget as Node | null)) zone.classList.remove('dropping');
    };
    const drop = (e: DragEvent) => {
      zone.classList.remove('dropping');
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length) return;
      e.preventDefault();
      take.current?.(files);
    };
    zone.addEventListener('dragover', over);
    zone.addEventListener('dragleave', leave);
    zone.addEventListener('drop', drop);
    return () => {
      zone.removeEventListener('dragover', over);
      zone.removeEventListener('dragleave', leave);
      zone.removeEventListener('drop', drop);
      zone.classList.remove('dropping');
    };
  }, [inside, enabled]);
}
