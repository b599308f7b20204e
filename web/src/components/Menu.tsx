import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import './menu.css';

export interface MenuItem {
  label: string;
  run: () => void;
  /** Drawn after the label (a count); part of the item's name. */
  extra?: ComponentChildren;
  /** Set apart below a line, in a quieter colour (Sign out): not equal to the rest. */
  apart?: boolean;
}

/**
 * A button that opens a short menu (the WAI-ARIA menu button pattern): arrow
 * keys move, Enter or Space chooses, Escape closes and gives focus back.
 */
export function Menu({
  label,
  items,
  icon = '⋯',
  badge,
  class: cls = '',
}: {
  label: string;
  items: MenuItem[];
  /** What the button shows (its name is `label`). */
  icon?: ComponentChildren;
  /** A dot or count on the button, for something inside that wants attention. */
  badge?: ComponentChildren;
  class?: string;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const trigger = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const focusAt = (i: number) => {
    const el = list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]');
    if (el?.length) el[(i + el.length) % el.length]!.focus();
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) trigger.current?.focus();
  };

  // Focus the first item as soon as the menu is drawn, before the next key arrives.
  useLayoutEffect(() => {
    if (open) focusAt(0);
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!list.current?.contains(t) && !trigger.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  function onKey(e: KeyboardEvent) {
    const el = [...(list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = el.indexOf(document.activeElement as HTMLElement);
    const keys: Record<string, () => void> = {
      ArrowDown: () => focusAt(at + 1),
      ArrowUp: () => focusAt(at - 1),
      Home: () => focusAt(0),
      End: () => focusAt(-1),
      Escape: () => close(true),
      Tab: () => close(false),
    };
    const k = keys[e.key];
    if (!k) return;
    if (e.key !== 'Tab') e.preventDefault();
    k();
  }

  return (
    <div class={`menu-wrap ${cls}`}>
      <button
        ref={trigger}
        type="button"
        class="menu-button secondary"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            if (open) focusAt(e.key === 'ArrowDown' ? 0 : -1);
            else setOpen(true);
          }
        }}
      >
        <span aria-hidden="true">{icon}</span>
        {badge}
      </button>
      {open && (
        <ul ref={list} id={id} role="menu" aria-label={label} class="menu" onKeyDown={onKey}>
          {items.map((it) => (
            <li key={it.label} role="none" class={it.apart ? 'apart' : undefined}>
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                onClick={() => {
                  setOpen(false);
                  it.run();
                }}
              >
                {it.label}
                {it.extra ? [' ', it.extra] : null}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
