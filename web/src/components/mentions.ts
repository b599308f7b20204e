import { createContext } from 'preact';

/**
 * Inside a room, which `@names` are members (to highlight them) and who I am
 * (to highlight mentions of me strongly). Absent in direct conversations.
 */
export const Mentions = createContext<{ known: (username: string) => boolean; me: string } | null>(
  null,
);
