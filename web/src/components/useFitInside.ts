import type { RefObject } from 'preact';
import { useLayoutEffect } from 'preact/hooks';

const GAP = 4;

/** The part of the screen a popup may use: its scrolling history (which clips it), else the viewport. */
function visibleArea(el: HTMLElement): {
  top: number;
  bottom: number;
  left: number;
  right: number;
} {
  const view = {
    top: 0,
    left: 0,
    bottom: innerHeight,
    right: document.documentElement.clientWidth,
  };
  const clip = el.parentElement?.closest<HTMLElement>('.messages');
  if (!clip) return view;
  const r = clip.getBoundingClientRect();
  return {
    top: Math.max(view.top, r.top),
    bottom: Math.min(view.bottom, r.bottom),
    left: Math.max(view.left, r.left),
    right: Math.min(view.right, r.right),
  };
}

/**
 * Keeps an absolutely placed popup (a message's menu, a reaction picker) whole
 * on screen: with no room below, it goes above its anchor (the button beside it
 * that opened it) when it fits there, else it slides up; then sideways as
 * needed. Runs after every render of the popup: loading content changes its size.
 */
export function useFitInside(popup: RefObject<HTMLElement>) {
  useLayoutEffect(() => {
    const el = popup.current;
    if (!el) return;
    const anchor = () => el.parentElement?.querySelector(':scope > button');
    el.style.transform = '';
    const r = el.getBoundingClientRect();
    const area = visibleArea(el);
    let dy = 0;
    let dx = 0;
    if (r.bottom > area.bottom) {
      const a = anchor()?.getBoundingClientRect();
      const above = a ? a.top - GAP - r.height : -1;
      dy = a && above >= area.top && above < r.top ? above - r.top : area.bottom - r.bottom;
    }
    if (r.top + dy < area.top) dy = area.top - r.top;
    if (r.right > area.right) dx = area.right - r.right;
    if (r.left + dx < area.left) dx = area.left - r.left;
    if (dx || dy) el.style.transform = `translate(${Math.round(dx)}px, ${Math.round(dy)}px)`;
  });
}
