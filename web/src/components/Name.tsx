import { handleIfShared, handleOf, nameOf } from '../state/names.js';

/**
 * A person as shown everywhere (state/names.ts): the name they go by, and
 * "@username" beside it in lists of people (`handle="always"`) or, among
 * messages, only when two people share the name (`handle="shared"`).
 */
export function Name({
  username,
  handle = 'always',
}: {
  username: string;
  handle?: 'always' | 'shared';
}) {
  const h = handle === 'always' ? handleOf(username) : handleIfShared(username);
  return (
    <span class="name" title={`@${username}`}>
      {nameOf(username)}
      {h && <span class="handle"> {h}</span>}
    </span>
  );
}
