import { useEffect } from 'preact/hooks';
import { switcherOpen } from './switcher-state.js';

/**
 * Keys that work anywhere on the signed-in screen: Ctrl+K (Cmd+K) opens the
 * quick switcher (QuickSwitcher.tsx); Alt+Up and Alt+Down open the
 * chat above or below the open one in the chat list (its composer then takes
 * the focus). A key a menu, editor or composer already handled is left alone.
 */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Ctrl+K (Cmd+K on a Mac) wherever the focus is, the composer included.
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        switcherOpen.value = !switcherOpen.value;
        return;
      }
      if (e.defaultPrevented || !e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
      const chats = [...document.querySelectorAll<HTMLButtonElement>('.chats li > button.contact')];
      if (!chats.length) return;
      const at = chats.findIndex((b) => b.getAttribute('aria-current') === 'true');
      const next = at < 0 ? 0 : at + (e.key === 'ArrowDown' ? 1 : -1);
      if (next < 0 || next >= chats.length) return;
      e.preventDefault();
      chats[next]!.click();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
