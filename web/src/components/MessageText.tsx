import type { ComponentChildren } from 'preact';
import { useContext, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { parseMarkdown, type Block, type Inline } from '../lib/markdown.js';
import { splitMentions } from '../lib/mentions.js';
import { Mentions } from './mentions.js';

/** Taller than this (about 14 lines) a message is folded, with "Show more". */
const FOLD_PX = 320;

/**
 * A message's text with its light formatting (lib/markdown.ts): every element
 * is built here from parsed data, the sender's text only ever becomes text
 * nodes, never HTML. http(s) links open in a new tab without access to this
 * one. A very long message is folded until "Show more".
 */
export function MessageText({ text }: { text: string }) {
  const mentions = useContext(Mentions);
  const box = useRef<HTMLDivElement>(null);
  const [tall, setTall] = useState(false);
  const [open, setOpen] = useState(false);

  useLayoutEffect(() => {
    const el = box.current;
    if (el) setTall(el.scrollHeight > FOLD_PX + 40);
  }, [text]);

  const plain = (s: string, key: string): ComponentChildren =>
    mentions
      ? splitMentions(s, mentions.known).map((p, j) =>
          p.mention ? (
            <span
              key={`${key}.${j}`}
              class={p.mention === mentions.me ? 'mention me' : 'mention'}
              data-mention={p.mention}
            >
              {p.text}
            </span>
          ) : (
            p.text
          ),
        )
      : s;

  const inline = (c: Inline[], key: string): ComponentChildren =>
    c.map((x, i) => {
      const k = `${key}.${i}`;
      switch (x.t) {
        case 'text':
          return plain(x.s, k);
        case 'code':
          return <code key={k}>{x.s}</code>;
        case 'link':
          return (
            <a key={k} href={x.href} target="_blank" rel="noopener noreferrer">
              {x.s}
            </a>
          );
        case 'b':
          return <strong key={k}>{inline(x.c, k)}</strong>;
        case 'i':
          return <em key={k}>{inline(x.c, k)}</em>;
      }
    });

  const block = (b: Block, k: string): ComponentChildren =>
    b.t === 'p' ? (
      <p key={k}>{inline(b.c, k)}</p>
    ) : b.t === 'pre' ? (
      <pre key={k}>
        <code>{b.s}</code>
      </pre>
    ) : (
      <blockquote key={k}>{b.c.map((x, i) => block(x, `${k}.${i}`))}</blockquote>
    );

  const blocks = parseMarkdown(text);
  const folded = tall && !open;
  return (
    <>
      <div
        ref={box}
        class={`text md${folded ? ' folded' : ''}`}
        style={folded ? { maxHeight: `${FOLD_PX}px` } : undefined}
      >
        {blocks.map((b, i) => block(b, String(i)))}
      </div>
      {tall && (
        <button
          type="button"
          class="link show-more"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Show less' : 'Show more'}
        </button>
      )}
    </>
  );
}
