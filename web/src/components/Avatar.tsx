import { avatarUrl } from '../state/avatars.js';

/** A hue from the name, so a person's initials keep their colour. */
function hue(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = [...(words[0] ?? '?')][0] ?? '?';
  const second = words.length > 1 ? ([...words[words.length - 1]!][0] ?? '') : '';
  return (first + second).toUpperCase();
}

/** Someone's picture, or their initials on a colour from their username; decorative (names are beside it). */
export function Avatar(props: { username: string; name: string; hash: string | null | undefined }) {
  const url = props.hash ? avatarUrl(props.username, props.hash) : undefined;
  if (url) return <img class="avatar" src={url} alt="" width={32} height={32} />;
  return (
    <span
      class="avatar initials"
      aria-hidden="true"
      // 30% lightness keeps white initials at 5.3:1 or more on every hue (WCAG AA).
      style={{ background: `hsl(${hue(props.username)} 45% 30%)` }}
    >
      {initials(props.name || props.username)}
    </span>
  );
}
