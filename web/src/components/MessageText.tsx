import { useContext } from 'preact/hooks';
import { linkify } from '../lib/linkify.js';
import { splitMentions } from '../lib/mentions.js';
import { Mentions } from './mentions.js';

/**
 * A message's text, as text: never parsed as HTML. http(s) links are made
 * clickable, opening in a new tab without access to this one.
 */
export function MessageText({ text }: { text: string }) {
  const mentions = useContext(Mentions);
  return (
    <p class="text">
      {linkify(text).map((s, i) =>
        s.href ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer">
            {s.text}
          </a>
        ) : mentions ? (
          splitMentions(s.text, mentions.known).map((p, j) =>
            p.mention ? (
              <span
                key={`${i}.${j}`}
                class={p.mention === mentions.me ? 'mention me' : 'mention'}
                data-mention={p.mention}
              >
                {p.text}
              </span>
            ) : (
              p.text
            ),
          )
        ) : (
          s.text
        ),
      )}
    </p>
  );
}
