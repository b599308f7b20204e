import { reactionLabel, type Reaction } from '../lib/reactions.js';
import { me } from '../state/signals.js';

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
