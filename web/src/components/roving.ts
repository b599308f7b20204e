import { useLayoutEffect, useRef } from 'preact/hooks';
import type { RefObject } from 'preact';

/** What inside a message takes part in the roving focus (menus and editors keep their own). */
const INNER = 'button:not([role="menuitem"]), a[href]';

/**
 * One Tab stop for a message list (issue 15, keyboard): the current message
 * (the last one until another is focused) is in the Tab order with its own
 * controls, every other message and its controls are not. Up and Down move
 * between messages, Home and End to the first and last, Enter opens the
 * message's menu. Returns the list's keydown handler.
 */
export function useRovingMessages(box: RefObject<HTMLElement>, deps: unknown[]) {
  const current = useRef('');

  function apply() {
    const el = box.current;
    if (!el) return;
    const items = [...el.querySelectorAll<HTMLElement>('li.msg')];
    const on = items.find((li) => li.dataset.id === current.current) ?? items.at(-1);
    for (const li of items) {
      const active = li === on;
      li.tabIndex = active ? 0 : -1;
      for (const c of li.querySelectorAll<HTMLElement>(INNER)) c.tabIndex = active ? 0 : -1;
    }
  }

  // After every render: new messages and opened menus bring new controls.
  useLayoutEffect(apply);
  useLayoutEffect(apply, deps);

  function onFocusIn(e: FocusEvent) {
    const li = (e.target as HTMLElement).closest<HTMLElement>('li.msg');
    if (!li || li.dataset.id === current.current) return;
    current.current = li.dataset.id ?? '';
    apply();
  }

  function onKeyDown(e: KeyboardEvent) {
    const li = e.target as HTMLElement;
    if (!li.matches('li.msg')) return;
    const items = [...(box.current?.querySelectorAll<HTMLElement>('li.msg') ?? [])];
    const at = items.indexOf(li);
    const to =
      e.key === 'ArrowDown'
        ? items[at + 1]
        : e.key === 'ArrowUp'
          ? items[at - 1]
          : e.key === 'Home'
            ? items[0]
            : e.key === 'End'
              ? items.at(-1)
              : undefined;
    if (to) {
      e.preventDefault();
      to.focus();
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      const toggle = li.querySelector<HTMLElement>('.actions-toggle, .menu-button');
      if (!toggle) return;
      e.preventDefault();
      toggle.click();
    }
  }

  return { onFocusIn, onKeyDown };
}
