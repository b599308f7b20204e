import { setMyShow } from '../state/live.js';
import { myShow, type Show } from '../state/signals.js';

const CHOICES: [Show, string][] = [
  ['available', 'Available'],
  ['away', 'Away'],
  ['dnd', 'Busy'],
  ['xa', 'Away for long'],
  ['invisible', 'Invisible'],
];

/** What others see of me. */
export function MyPresence() {
  return (
    <label class="mypresence">
      <span class="visually-hidden">My status</span>
      <select value={myShow.value} onChange={(e) => void setMyShow(e.currentTarget.value as Show)}>
        {CHOICES.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
