import { linkify } from '../lib/linkify.js';

/**
 * A message's text, as text: never parsed as HTML. http(s) links are made
 * clickable, opening in a new tab without access to this one.
 */
export function MessageText({ text }: { text: string }) {
  return (
    <p class="text">
      {linkify(text).map((s, i) =>
        s.href ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer">
            {s.text}
          </a>
        ) : (
          s.text
        ),
      )}
    </p>
  );
}
