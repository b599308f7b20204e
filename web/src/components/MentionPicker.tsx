import { useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import { complete, mentionAt, suggest } from '../lib/mentions.js';

const LIST_ID = 'mention-options';

/**
 * Typing `@` in a room's composer offers the members' names: the arrow keys
 * move, Enter or Tab picks, Escape closes; a click picks too. The textarea
 * keeps the focus (aria-activedescendant names the option).
 */
export function useMentionPicker(
  names: string[] | undefined,
  area: RefObject<HTMLTextAreaElement>,
  setText: (text: string) => void,
) {
  const [open, setOpen] = useState<{
    start: number;
    caret: number;
    options: string[];
    active: number;
  } | null>(null);

  function refresh(el: HTMLTextAreaElement) {
    if (!names?.length) return;
    const at = mentionAt(el.value, el.selectionStart);
    const options = at ? suggest(names, at.query) : [];
    setOpen(at && options.length ? { ...at, caret: el.selectionStart, options, active: 0 } : null);
  }

  function choose(name: string) {
    const el = area.current;
    if (!el || !open) return;
    const r = complete(el.value, open.start, open.caret, name);
    el.value = r.text;
    setText(r.text);
    el.setSelectionRange(r.caret, r.caret);
    el.focus();
    setOpen(null);
  }

  /** True when the key was the picker's (the composer then does nothing with it). */
  function onKeyDown(e: KeyboardEvent): boolean {
    if (!open) return false;
    const n = open.options.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setOpen({ ...open, active: (open.active + step + n) % n });
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      if (e.shiftKey || e.isComposing) return false;
      choose(open.options[open.active]!);
    } else if (e.key === 'Escape') setOpen(null);
    else return false;
    e.preventDefault();
    return true;
  }

  const attrs = open
    ? { 'aria-controls': LIST_ID, 'aria-activedescendant': `${LIST_ID}-${open.active}` }
    : {};

  const list = open && (
    <>
      <ul id={LIST_ID} role="listbox" aria-label="Members to mention" class="mention-list">
        {open.options.map((n, i) => (
          <li
            key={n}
            id={`${LIST_ID}-${i}`}
            role="option"
            aria-selected={i === open.active}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(n);
            }}
          >
            @{n}
          </li>
        ))}
      </ul>
      <span class="visually-hidden" role="status">
        {open.options.length} member{open.options.length === 1 ? '' : 's'} to mention: arrow keys to
        choose, Enter to pick
      </span>
    </>
  );

  return { refresh, onKeyDown, attrs, list, close: () => setOpen(null) };
}
