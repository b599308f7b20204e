import { avatarUrl } from '../state/avatars.js';

/** A hue from the name, so a person's (or room's) initials keep their colour. */
function hue(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

function initials(name: string): string {
  const words = name.replace(/^#/, '').trim().split(/\s+/).filter(Boolean);
  const first = [...(words[0] ?? '?')][0] ?? '?';
  const second = words.length > 1 ? ([...words[words.length - 1]!][0] ?? '') : '';
  return (first + second).toUpperCase();
}

/**
 * A picture, or initials on a colour from the name; decorative (names are beside it).
 * `picture`: a URL ready to show (a room's: `roomPicture(name, room.avatar)`,
 * state/avatars.ts); else a person's by `username` and their avatar `hash`.
 * `size` in CSS pixels (32 by default).
 */
export function Avatar(props: {
  name: string;
  picture?: string | undefined;
  username?: string;
  hash?: string | null | undefined;
  size?: number;
}) {
  const key = props.username ?? props.name;
  const url =
    props.picture ??
    (props.hash && props.username ? avatarUrl(props.username, props.hash) : undefined);
  const size = props.size ?? 32;
  const box =
    props.size === undefined
      ? undefined
      : { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` };
  if (url) return <img class="avatar" src={url} alt="" width={size} height={size} style={box} />;
  return (
    <span
      class="avatar initials"
      aria-hidden="true"
      // 30% lightness keeps white initials at 5.3:1 or more on every hue (WCAG AA).
      style={{ background: `hsl(${hue(key)} 45% 30%)`, ...box }}
    >
      {initials(props.name || key)}
    </span>
  );
}
