import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

let loaded: ComponentType | null = null;

/** The quick switcher, fetched the first time Ctrl+K is pressed (not needed at first paint). */
export function LazySwitcher() {
  const [Switcher, setSwitcher] = useState<ComponentType | null>(() => loaded);
  useEffect(() => {
    if (Switcher) return;
    let live = true;
    void import('./QuickSwitcher.js').then((m) => {
      loaded = m.default;
      if (live) setSwitcher(() => m.default);
    });
    return () => {
      live = false;
    };
  }, []);
  return Switcher ? <Switcher /> : null;
}
