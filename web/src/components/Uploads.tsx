import { fileSize } from '../../../src/sdk/size.js';

/** One file being sent with the message being written. */
export interface PendingUpload {
  key: number;
  name: string;
  size: number;
  sent: number;
  /** The server's file id once it holds the file durably. */
  fileId?: string;
  error?: string;
  cancel: () => void;
}

/** The files of the message being written: progress, and a way to drop each. */
export function Uploads(props: { list: readonly PendingUpload[] }) {
  if (!props.list.length) return null;
  return (
    <ul class="uploads" aria-label="Files to send">
      {props.list.map((u) => (
        <li key={u.key} class={u.error ? 'failed' : u.fileId ? 'done' : 'sending'}>
          <span class="file-name">{u.name}</span> <span class="file-size">{fileSize(u.size)}</span>
          {u.error ? (
            <span class="error"> {u.error}</span>
          ) : (
            <progress max={u.size} value={u.sent} aria-label={`Uploading ${u.name}`} />
          )}
          <button type="button" class="link" onClick={u.cancel} aria-label={`Remove ${u.name}`}>
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}
