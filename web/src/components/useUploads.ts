import { useState } from 'preact/hooks';
import type { FileTarget } from '../../../src/sdk/files.js';
import { client } from '../state/client.js';
import type { PendingUpload } from './Uploads.js';

let uploadKeys = 0;

/**
 * The files being sent with the message in the composer: each starts uploading
 * as soon as it is attached; the message goes once all of them are stored.
 */
export function useUploads(target: FileTarget | undefined) {
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const busy = uploads.some((u) => !u.fileId && !u.error);

  function change(key: number, patch: Partial<PendingUpload> | null) {
    setUploads((list) =>
      patch === null
        ? list.filter((u) => u.key !== key)
        : list.map((u) => (u.key === key ? { ...u, ...patch } : u)),
    );
  }

  function attach(files: readonly File[]) {
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

  return {
    uploads,
    busy,
    attach,
    /** Ids of the files stored so far. */
    ids: () => uploads.flatMap((u) => (u.fileId ? [u.fileId] : [])),
    clear: () => setUploads([]),
  };
}
