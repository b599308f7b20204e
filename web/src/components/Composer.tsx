import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { FileTarget } from '../../../src/sdk/files.js';
import { count } from '../lib/plural.js';
import { MAX_TEXT_BYTES, WARN_AT, textBytes } from '../lib/limits.js';
import { refill } from '../state/compose.js';
import { draftOf, saveDraft } from '../state/drafts.js';
import type { Shown } from '../state/signals.js';
import { useMentionPicker } from './MentionPicker.js';
import { LazyEmojiPicker } from './LazyEmojiPicker.js';
import { ReplyBar } from './ReplyBar.js';
import { Uploads } from './Uploads.js';
import { useDropZone } from './useDropZone.js';
import { useUploads } from './useUploads.js';
import { VoiceNote } from './VoiceNote.js';
import { Glyph } from './glyphs.js';
import './composer.css';

/**
 * Enter sends; Shift+Enter starts a new line. Up in an empty composer edits my
 * last message; Escape drops the reply being written. What is typed is this
 * conversation's draft (state/drafts.ts) until it is sent. Files come by the
 * attach button, paste or drop, and go with the message once stored (kept
 * with the draft, across reloads: state/uploads.ts); a voice note goes alone
 * as soon as it is stored.
 */
export function Composer(props: {
  name: string;
  /** The conversation's target key: whose draft this is. */
  draftKey: string;
  /** `attachments`: ids of files already stored by the server. */
  onSend: (text: string, attachments?: string[]) => void;
  /** Where files go (attach button, paste, drop); without it there are none. */
  files?: FileTarget;
  /** The message this one will answer, if any. */
  replying?: Shown | null;
  onCancelReply?: () => void;
  onEditLast?: () => void;
  /** Called as the user types (to send typing notices), and when they stop. */
  onTyping?: () => void;
  onStop?: () => void;
  /** Why I may not write here now (muted): said in place of writing, the composer disabled. */
  blocked?: string | undefined;
  /** In a room: the names `@` offers. */
  mentionNames?: string[];
}) {
  const { name, onSend } = props;
  const [text, setTextOnly] = useState(() => draftOf(props.draftKey));
  const setText = (t: string) => {
    setTextOnly(t);
    saveDraft(props.draftKey, t);
  };
  const area = useRef<HTMLTextAreaElement>(null);
  const replyId = props.replying?.id;
  const picker = useMentionPicker(props.mentionNames, area, setText);
  const up = useUploads(props.draftKey, props.files, (id) => onSend('', [id]));
  const form = useRef<HTMLFormElement>(null);
  const chooser = useRef<HTMLInputElement>(null);
  const [picking, setPicking] = useState(false);
  const emojiButton = useRef<HTMLButtonElement>(null);
  /** Where the emoji goes: the caret when the picker was opened. */
  const caret = useRef(0);

  function insertEmoji(emoji: string) {
    const at = Math.min(caret.current, text.length);
    const next = text.slice(0, at) + emoji + text.slice(at);
    setText(next);
    setPicking(false);
    caret.current = at + emoji.length;
    const el = area.current;
    if (el) {
      el.value = next;
      el.focus();
      el.setSelectionRange(caret.current, caret.current);
    }
  }

  // Opening a chat is to write in it: the composer takes the focus (caret after the draft).
  useLayoutEffect(() => {
    const el = area.current;
    // Not on a touch screen, where it would cover the chat with the keyboard.
    if (!el || matchMedia('(hover: none)').matches) return;
    el.focus({ preventScroll: true });
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  useLayoutEffect(() => {
    if (replyId) area.current?.focus();
  }, [replyId]);

  // A failed message taken back to edit comes here.
  const back = refill.value;
  useEffect(() => {
    if (!back || back.key !== props.draftKey) return;
    refill.value = null;
    setText(back.text);
    area.current?.focus();
  }, [back]);

  // The box grows with what is written, up to its cap (composer.css), then scrolls.
  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + el.offsetHeight - el.clientHeight}px`;
  }, [text]);

  const size = textBytes(text);
  const over = size > MAX_TEXT_BYTES;

  // Send pressed while files upload: the message goes when the last is stored.
  const [queued, setQueued] = useState(false);
  const failed = up.uploads.some((u) => u.error && !u.voice);
  useEffect(() => {
    if (!queued || up.busy) return;
    setQueued(false);
    if (!failed) submit();
  }, [queued, up.busy]);

  function submit() {
    const ids = up.ids();
    if (up.busy && !over && !props.blocked) return setQueued(true);
    // Too long: refused here, before it is sent; the text stays to be shortened.
    if ((!text.trim() && !ids.length) || over || props.blocked) return;
    props.onStop?.();
    onSend(text, ids.length ? ids : undefined);
    setText('');
    up.sent(ids);
    area.current?.focus();
  }

  useDropZone(form, props.files ? up.attach : undefined);

  return (
    <form
      class={`composer${props.replying ? ' replying' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      ref={form}
    >
      <Uploads list={up.uploads} />
      {props.replying && props.onCancelReply && (
        <ReplyBar m={props.replying} onCancel={props.onCancelReply} />
      )}
      {props.blocked && (
        <p class="composer-note" id="composer-note" role="status">
          {props.blocked}
        </p>
      )}
      <div class="composer-box">
        {props.files && !props.blocked && (
          <>
            <input
              ref={chooser}
              type="file"
              multiple
              hidden
              data-testid="attach-input"
              onChange={(e) => {
                up.attach([...(e.currentTarget.files ?? [])]);
                e.currentTarget.value = '';
              }}
            />
            <button
              type="button"
              class="attach icon-button"
              aria-label="Attach files"
              title="Attach files"
              onClick={() => chooser.current?.click()}
            >
              <Glyph name="attach" />
            </button>
          </>
        )}
        <label for="composer-text" class="visually-hidden">
          Message to {name}
        </label>
        <textarea
          id="composer-text"
          ref={area}
          rows={1}
          disabled={!!props.blocked}
          aria-invalid={over}
          aria-describedby={
            props.blocked ? 'composer-note' : size > WARN_AT ? 'composer-count' : undefined
          }
          placeholder={props.blocked ? 'You cannot write here now' : `Message ${name}`}
          value={text}
          {...picker.attrs}
          onClick={(e) => picker.refresh(e.currentTarget)}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (!props.files || !files.length) return;
            e.preventDefault();
            up.attach(files);
          }}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setText(value);
            picker.refresh(e.currentTarget);
            if (value.trim()) props.onTyping?.();
            else props.onStop?.();
          }}
          onBlur={() => {
            picker.close();
            props.onStop?.();
          }}
          onKeyDown={(e) => {
            if (picker.onKeyDown(e)) return;
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            } else if (e.key === 'ArrowUp' && !e.altKey && text === '' && props.onEditLast) {
              e.preventDefault();
              props.onEditLast();
            } else if (e.key === 'Escape' && props.replying && props.onCancelReply) {
              e.preventDefault();
              props.onCancelReply();
            }
          }}
        />
        {picker.list}
        {!props.blocked && (
          <div class="emoji-wrap">
            <button
              type="button"
              class="emoji-button icon-button"
              ref={emojiButton}
              aria-label="Insert emoji"
              title="Insert emoji"
              aria-haspopup="dialog"
              aria-expanded={picking}
              onClick={() => {
                caret.current = area.current?.selectionStart ?? text.length;
                setPicking(!picking);
              }}
            >
              <Glyph name="emoji" />
            </button>
            {picking && (
              <LazyEmojiPicker
                label="Insert emoji"
                onPick={insertEmoji}
                onClose={() => {
                  setPicking(false);
                  emojiButton.current?.focus();
                }}
              />
            )}
          </div>
        )}
        {props.files && !props.blocked && (
          <VoiceNote onRecorded={(file, durationMs) => up.attachVoice(file, durationMs)} />
        )}
      </div>
      <button
        type="submit"
        class="send icon-button"
        aria-label="Send"
        title="Send (Enter)"
        disabled={queued || over || !!props.blocked}
      >
        <Glyph name="send" />
      </button>
      {queued && (
        <p class="composer-note" role="status">
          Sending once the files are uploaded…
        </p>
      )}
      {size > WARN_AT && (
        <p id="composer-count" class={`counter${over ? ' error' : ''}`} role="status">
          {over
            ? `Too long to send by ${count(size - MAX_TEXT_BYTES, 'character')}: shorten it or split it in two.`
            : `${count(MAX_TEXT_BYTES - size, 'character')} left`}
        </p>
      )}
    </form>
  );
}
