import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import './menu.css';
import { useFitInside } from './useFitInside.js';

export interface MenuItem {
  label: string;
  run: () => void;
  /** Drawn after the label (a count); part of the item's name. */
  extra?: ComponentChildren;
  /** Set apart below a line, in a quieter colour (Sign out): not equal to the rest. */
  apart?: boolean;
  /** Destructive (Block, Leave): red text, after a divider; callers put these last. */
  danger?: boolean;
}

/**
 * A button that opens a short menu (the WAI-ARIA menu button pattern): arrow
 * keys move, Enter or Space chooses, Escape closes and gives focus back.
 */
export function Menu({
  label,
  items,
  icon,
  badge,
  class: cls = '',
}: {
  label: string;
  items: MenuItem[];
  /**
   * What the button shows (its name is `label`): text ("⋯" by default, "☰") on a
   * quiet button, or an element (an icon glyph) on an icon button.
   */
  icon?: ComponentChildren;
  /** A dot or count on the button, for something inside that wants attention. */
  badge?: ComponentChildren;
  class?: string;
}) {
  const [open, setOpen] = useState(false);
  const glyph = icon !== undefined && icon !== null && typeof icon === 'object';
  const id = useId();
  const trigger = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  useFitInside(list);
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
        class={glyph ? 'menu-button icon-button' : 'menu-button secondary'}
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
        {glyph ? icon : <span aria-hidden="true">{icon ?? '⋯'}</span>}
        {badge}
      </button>
      {open && (
        <ul ref={list} id={id} role="menu" aria-label={label} class="menu" onKeyDown={onKey}>
          {items.map((it, i) => (
            <li
              key={it.label}
              role="none"
              class={
                it.apart
                  ? 'apart'
                  : it.danger && !items[i - 1]?.danger && i > 0
                    ? 'divided'
                    : undefined
              }
            >
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                class={it.danger ? 'danger' : undefined}
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
