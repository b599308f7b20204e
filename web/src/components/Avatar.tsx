import { avatarUrl } from '../state/avatars.js';

/** A hue from the name, so a person's or a room's initials keep their colour. */
function hue(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

function initials(name: string): string {
  const words = name
    .replace(/^#/, '')
    .trim()
    .split(/[\s_.-]+/)
    .filter(Boolean);
  const first = [...(words[0] ?? '?')][0] ?? '?';
  const second = words.length > 1 ? ([...words[words.length - 1]!][0] ?? '') : '';
  return (first + second).toUpperCase();
}

export interface AvatarProps {
  /** What the initials are taken from. */
  name: string;
  /** A picture to show instead of the initials. */
  picture?: string | undefined;
  /** Pixels (32 by default). */
  size?: number;
  /** A room: a rounded square, as rooms look in messengers, not a circle. */
  room?: boolean;
  /** Someone's avatar, fetched by username and hash (state/avatars.ts); the colour follows the username. */
  username?: string;
  hash?: string | null | undefined;
}

/**
 * A picture, or initials on a colour from the name (the username for people);
 * decorative: the name is always beside it.
 */
export function Avatar(props: AvatarProps) {
  const size = props.size ?? 32;
  const url =
    props.picture ??
    (props.username && props.hash ? avatarUrl(props.username, props.hash) : undefined);
  const shape = props.room ? 'avatar room' : 'avatar';
  const box = { width: `${size}px`, height: `${size}px` };
  if (url) return <img class={shape} src={url} alt="" width={size} height={size} style={box} />;
  const seed = props.username ?? props.name;
  return (
    <span
      class={`${shape} initials`}
      aria-hidden="true"
      // 30% lightness keeps white initials at 5.3:1 or more on every hue (WCAG AA).
      style={{
        ...box,
        background: `hsl(${hue(seed)} 45% 30%)`,
        fontSize: `${Math.round(size * 0.38)}px`,
      }}
    >
      {initials(props.name || seed)}
    </span>
  );
}
