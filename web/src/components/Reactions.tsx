import { reactionLabel, type Reaction } from '../lib/reactions.js';
import { nameById } from '../state/names.js';
import { me } from '../state/signals.js';

/** "👍 You, Bob Builder and 2 others": who reacted, shown on hover. */
function whoReacted(r: Reaction): string {
  const names = r.userIds.map(nameById).filter((n): n is string => n !== null);
  // Me first, then by name; those I do not know are counted.
  names.sort((a, b) => (a === 'You' ? -1 : b === 'You' ? 1 : a.localeCompare(b)));
  const others = r.count - names.length;
  const list = others > 0 ? [...names, `${others} other${others === 1 ? '' : 's'}`] : names;
  const text =
    list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
  return `${r.emoji} ${text}`;
}

/** Reactions under a message: one chip per emoji with its count; mine are pressed, a click toggles mine. */
export function Reactions(props: {
  reactions: Reaction[];
  onToggle: (emoji: string, on: boolean) => void;
}) {
  if (props.reactions.length === 0) return null;
  const myId = me.value?.id;
  return (
    <ul class="reactions" aria-label="Reactions">
      {props.reactions.map((r) => {
        const mine = myId !== undefined && r.userIds.includes(myId);
        return (
          <li key={r.emoji}>
            <button
              type="button"
              class="chip"
              aria-pressed={mine}
              aria-label={reactionLabel(r, myId)}
              title={whoReacted(r)}
              onClick={() => props.onToggle(r.emoji, !mine)}
            >
              {r.emoji} {r.count}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
