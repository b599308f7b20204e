import type { ComponentChildren } from 'preact';
import { Preferences } from './Preferences.js';

/**
 * Named main panes (see state/nav.ts `pane`): each feature registers its own
 * here, so Shell does not grow a branch per screen.
 */
export const PANES: Record<string, () => ComponentChildren> = {
  preferences: () => <Preferences />,
};
