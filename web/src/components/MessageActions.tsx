import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { QUICK_EMOJI, iReacted } from '../lib/reactions.js';
import { me, type Shown } from '../state/signals.js';
import { Glyph } from './glyphs.js';
import { LazyEmojiPicker } from './LazyEmojiPicker.js';
import { useFitInside } from './useFitInside.js';

/**
 * A message's actions: a button (shown on hover or focus, always on touch
 * screens) opening a small menu of quick reactions, Reply, and, where allowed,
 * Edit and Delete. Arrow keys move in the menu; Escape closes it and returns
 * to the button.
 */
export function MessageActions(props: {
  m: Shown;
  canEdit: boolean;
  canDelete: boolean;
  onReact: (emoji: string, on: boolean) => void;
  onReply: () => void;
  onEdit: () => void;
  onDelete: () => void;
  /** The address of this message (its conversation's route and `#msg-<seq>`). */
  link: string;
}) {
  const { m } = props;
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  // Above the button when there is no room below (the last messages), always inside the history.
  useFitInside(menu);
  const toggle = useRef<HTMLButtonElement>(null);
  const myId = me.value?.id;
  const [copied, setCopied] = useState('');
  const [picking, setPicking] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(''), 2500);
    return () => clearTimeout(t);
  }, [copied]);

  function copy(what: string, text: string) {
    toggle.current?.focus();
    navigator.clipboard
      ?.writeText(text)
      .then(() => setCopied(`${what} copied`))
      .catch(() => setCopied(`Could not copy the ${what.toLowerCase()}`));
  }

  // A layout effect: focus moves into the menu before the next key can arrive.
  useLayoutEffect(() => {
    if (!open) return;
    box.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const outside = (e: PointerEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    // Escape closes the menu wherever focus went meanwhile.
    const escape = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || box.current?.contains(e.target as Node)) return;
      setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);

  function close(refocus = true) {
    setOpen(false);
    if (refocus) toggle.current?.focus();
  }

  function choose(fn: () => void) {
    setOpen(false);
    fn();
  }

  function onKeyDown(e: KeyboardEvent) {
    const items = [...(box.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => items[(i + items.length) % items.length]?.focus();
    if (e.key === 'Escape') {
      if (!open) return;
      e.preventDefault();
      close();
    } else if (!open) {
      return;
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowRight') {
      e.preventDefault();
      go(at + 1);
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') {
      e.preventDefault();
      go(at - 1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      go(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      go(items.length - 1);
    } else if (e.key === 'Tab') close(false);
  }

  const menuId = `actions-${m.id}`;
  return (
    <div class="msg-actions" ref={box} data-open={open} onKeyDown={onKeyDown}>
      <button
        type="button"
        class="actions-toggle"
        ref={toggle}
        aria-label="Message actions"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
      >
        <Glyph name="more" size={16} />
      </button>
      {picking && (
        <LazyEmojiPicker
          label="React with any emoji"
          onPick={(emoji) => {
            setPicking(false);
            toggle.current?.focus();
            props.onReact(emoji, !iReacted(m.reactions, emoji, myId));
          }}
          onClose={() => {
            setPicking(false);
            toggle.current?.focus();
          }}
        />
      )}
      {copied && (
        <span class="copied" role="status">
          {copied}
        </span>
      )}
      {open && (
        <div class="actions-menu" ref={menu} role="menu" id={menuId} aria-label="Message actions">
          <div class="emoji-row" role="group" aria-label="React">
            {QUICK_EMOJI.map((emoji) => {
              const mine = iReacted(m.reactions, emoji, myId);
              return (
                <button
                  key={emoji}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  class="emoji"
                  aria-label={mine ? `Remove your ${emoji} reaction` : `React with ${emoji}`}
                  data-mine={mine}
                  onClick={() => choose(() => props.onReact(emoji, !mine))}
                >
                  {emoji}
                </button>
              );
            })}
            <button
              type="button"
              role="menuitem"
              tabIndex={-1}
              class="more-reactions"
              aria-label="More reactions…"
              aria-haspopup="dialog"
              onClick={() => {
                setOpen(false);
                setPicking(true);
              }}
            >
              <Glyph name="plus" size={18} />
            </button>
          </div>
          <button type="button" role="menuitem" tabIndex={-1} onClick={() => choose(props.onReply)}>
            Reply
          </button>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            onClick={() => choose(() => copy('Text', m.text))}
          >
            Copy text
          </button>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            onClick={() => choose(() => copy('Link', props.link))}
          >
            Copy link
          </button>
          {props.canEdit && (
            <button
              type="button"
              role="menuitem"
              tabIndex={-1}
              onClick={() => choose(props.onEdit)}
            >
              Edit
            </button>
          )}
          {props.canDelete && (
            <button
              type="button"
              role="menuitem"
              tabIndex={-1}
              class="danger"
              onClick={() => choose(props.onDelete)}
            >
              Delete
            </button>
          )}
        </div>
      )}
    </div>
  );
}
