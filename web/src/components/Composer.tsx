import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { FileTarget } from '../../../src/sdk/files.js';
import { client } from '../state/client.js';
import { type PendingUpload, Uploads } from './Uploads.js';
import type { Shown } from '../state/signals.js';
import { useMentionPicker } from './MentionPicker.js';
import { ReplyBar } from './ReplyBar.js';

let uploadKeys = 0;

/**
 * Enter sends; Shift+Enter starts a new line. Up in an empty composer edits my
 * last message; Escape drops the reply being written.
 */
export function Composer(props: {
  name: string;
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
  /** In a room: the names `@` offers. */
  mentionNames?: string[];
}) {
  const { name, onSend } = props;
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const replyId = props.replying?.id;
  const picker = useMentionPicker(props.mentionNames, area, setText);
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const chooser = useRef<HTMLInputElement>(null);
  const busy = uploads.some((u) => !u.fileId && !u.error);

  function change(key: number, patch: Partial<PendingUpload> | null) {
    setUploads((list) =>
      patch === null
        ? list.filter((u) => u.key !== key)
        : list.map((u) => (u.key === key ? { ...u, ...patch } : u)),
    );
  }

  /** Starts sending each file at once; the message goes when all are stored. */
  function attach(files: readonly File[]) {
    const target = props.files;
    if (!target) return;
    for (const file of files) {
      const key = ++uploadKeys;
      const abort = new AbortController();
      setUploads((list) => [
        ...list,
        {
          key,
          name: file.name,
          size: file.size,
          sent: 0,
          cancel: () => {
            abort.abort();
            change(key, null);
          },
        },
      ]);
      client.files
        .upload(target, file.name || 'pasted', file, {
          signal: abort.signal,
          onProgress: (sent) => change(key, { sent }),
        })
        .then(
          (f) => change(key, { fileId: f.id, sent: file.size }),
          (err: Error & { condition?: string }) => {
            if (err.condition !== 'cancelled') change(key, { error: err.message });
          },
        );
    }
  }

  useLayoutEffect(() => {
    if (replyId) area.current?.focus();
  }, [replyId]);

  function submit() {
    const ids = uploads.flatMap((u) => (u.fileId ? [u.fileId] : []));
    if (busy || (!text.trim() && !ids.length)) return;
    props.onStop?.();
    onSend(text, ids.length ? ids : undefined);
    setText('');
    setUploads([]);
    area.current?.focus();
  }

  return (
    <form
      class={`composer${props.replying ? ' replying' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onDragOver={(e) => {
        if (props.files && e.dataTransfer?.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        const files = [...(e.dataTransfer?.files ?? [])];
        if (!props.files || !files.length) return;
        e.preventDefault();
        attach(files);
      }}
    >
      <Uploads list={uploads} />
      {props.replying && props.onCancelReply && (
        <ReplyBar m={props.replying} onCancel={props.onCancelReply} />
      )}
      <label for="composer-text" class="visually-hidden">
        Message to {name}
      </label>
      <textarea
        id="composer-text"
        ref={area}
        rows={2}
        placeholder={`Message ${name}`}
        value={text}
        {...picker.attrs}
        onClick={(e) => picker.refresh(e.currentTarget)}
        onPaste={(e) => {
          const files = [...(e.clipboardData?.files ?? [])];
          if (!props.files || !files.length) return;
          e.preventDefault();
          attach(files);
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
          } else if (e.key === 'ArrowUp' && text === '' && props.onEditLast) {
            e.preventDefault();
            props.onEditLast();
          } else if (e.key === 'Escape' && props.replying && props.onCancelReply) {
            e.preventDefault();
            props.onCancelReply();
          }
        }}
      />
      {picker.list}
      {props.files && (
        <>
          <input
            ref={chooser}
            type="file"
            multiple
            hidden
            data-testid="attach-input"
            onChange={(e) => {
              attach([...(e.currentTarget.files ?? [])]);
              e.currentTarget.value = '';
            }}
          />
          <button type="button" class="attach" onClick={() => chooser.current?.click()}>
            Attach
          </button>
        </>
      )}
      <button type="submit" disabled={busy}>
        Send
      </button>
    </form>
  );
}
