import { fileSize } from '../../../src/sdk/size.js';
import { cancelUpload, retryUpload, type PendingUpload } from '../state/uploads.js';
import { clock } from './AudioPlayer.js';

export type { PendingUpload };

/** The files of the message being written: progress, Retry after a failure, a way to drop each. */
export function Uploads(props: { list: readonly PendingUpload[] }) {
  if (!props.list.length) return null;
  return (
    <ul class="uploads" aria-label="Files to send">
      {props.list.map((u) => (
        <li
          key={u.key}
          class={`${u.error ? 'failed' : u.fileId ? 'done' : 'sending'}${u.voice ? ' voice' : ''}`}
        >
          {u.voice ? (
            // Recorded here: said as what it is, with its length, not by its file name.
            <span class="file-name">
              <span aria-hidden="true">🎤 </span>Voice note{' '}
              <span class="voice-length">{clock(u.voice.durationMs / 1000)}</span>
            </span>
          ) : (
            <span class="file-name">{u.name}</span>
          )}{' '}
          <span class="file-size">{fileSize(u.size)}</span>
          {u.error ? (
            <span class="error" role="alert">
              {' '}
              {u.error}
            </span>
          ) : (
            <progress max={u.size} value={u.sent} aria-label={`Uploading ${u.name}`} />
          )}
          {u.error && u.retry && (
            <button type="button" class="link" onClick={() => retryUpload(u.key)}>
              Retry
            </button>
          )}
          <button
            type="button"
            class="link"
            onClick={() => cancelUpload(u.key)}
            aria-label={`Remove ${u.name}`}
          >
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}
