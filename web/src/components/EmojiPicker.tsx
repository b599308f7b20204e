import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { loadEmoji, type EmojiEntry } from '../lib/emoji-data.js';
import { rank } from '../lib/fuzzy.js';
import './emoji-picker.css';
import { useFitInside } from './useFitInside.js';

const FOUND = 120;

/**
 * Any emoji, by group or searched by name ("thumbs", "party"): a dialog with
 * a search field and a grid. Arrow keys move in the grid, Enter or a click
 * chooses, Escape closes and gives the focus back. Lazy-loaded with its data.
 */
export default function EmojiPicker(props: {
  label: string;
  onPick: (emoji: string) => void;
  onClose: () => void;
}) {
  const [data, setData] = useState<{ groups: string[]; all: EmojiEntry[] } | null>(null);
  const [error, setError] = useState('');
  const [q, setQ] = useState('');
  const [group, setGroup] = useState('');
  const search = useRef<HTMLInputElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);
  // Whole on screen, even opened from the last message (issue 15: it went under the composer).
  useFitInside(box);

  useEffect(() => {
    let live = true;
    loadEmoji()
      .then((d) => live && (setData(d), setGroup(d.groups[0] ?? '')))
      .catch(() => live && setError('The emoji could not be loaded. Try again later.'));
    return () => {
      live = false;
    };
  }, []);
  useLayoutEffect(() => search.current?.focus(), []);

  const shown = !data
    ? []
    : q.trim()
      ? rank(data.all, q, (x) => [x.name], FOUND)
      : data.all.filter((x) => x.group === group);

  function onGridKey(e: KeyboardEvent) {
    const cells = [...(grid.current?.querySelectorAll<HTMLElement>('button') ?? [])];
    const at = cells.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    const cols = Math.max(
      1,
      Math.round((grid.current?.clientWidth ?? 320) / (cells[0]?.offsetWidth || 36)),
    );
    const to: Record<string, number> = {
      ArrowRight: at + 1,
      ArrowLeft: at - 1,
      ArrowDown: at + cols,
      ArrowUp: at - cols,
      Home: 0,
      End: cells.length - 1,
    };
    const i = to[e.key];
    if (i === undefined) return;
    e.preventDefault();
    if (i < 0 && e.key === 'ArrowUp') return search.current?.focus();
    cells[Math.max(0, Math.min(cells.length - 1, i))]?.focus();
  }

  return (
    <div
      class="emoji-picker"
      ref={box}
      role="dialog"
      aria-label={props.label}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          props.onClose();
        }
      }}
    >
      <input
        ref={search}
        type="search"
        aria-label="Search emoji by name"
        placeholder="Search emoji"
        autocomplete="off"
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            grid.current?.querySelector<HTMLElement>('button')?.focus();
          } else if (e.key === 'Enter') {
            e.preventDefault();
            if (shown[0]) props.onPick(shown[0].e);
          }
        }}
      />
      {data && !q.trim() && (
        <div class="emoji-groups" role="group" aria-label="Emoji groups">
          {data.groups.map((g) => (
            <button
              key={g}
              type="button"
              class="secondary"
              aria-pressed={g === group}
              onClick={() => setGroup(g)}
            >
              {g}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p class="hint">Loading emoji…</p>}
      {data && (
        <div class="emoji-grid" ref={grid} role="group" aria-label="Emoji" onKeyDown={onGridKey}>
          {shown.map((x) => (
            <button
              key={x.e}
              type="button"
              class="emoji"
              title={x.name}
              aria-label={x.name}
              onClick={() => props.onPick(x.e)}
            >
              {x.e}
            </button>
          ))}
          {!shown.length && <p class="hint">No emoji is called “{q}”.</p>}
        </div>
      )}
    </div>
  );
}
