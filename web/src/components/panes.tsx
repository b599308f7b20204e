import type { ComponentChildren } from 'preact';
import { Filtered } from './Filtered.js';
import { FindPeople } from './FindPeople.js';
import { Preferences } from './Preferences.js';
import { Settings } from './Settings.js';

/**
 * Named main panes (see state/nav.ts `pane`): each feature registers its own
 * here, so Shell does not grow a branch per screen.
 */
export const PANES: Record<string, () => ComponentChildren> = {
  people: () => <FindPeople />,
  settings: () => <Settings />,
  filtered: () => <Filtered />,
  preferences: () => <Preferences />,
};
