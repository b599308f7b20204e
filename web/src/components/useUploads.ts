import { useEffect } from 'preact/hooks';
import type { FileTarget } from '../../../src/sdk/files.js';
import { attachFiles, pendingUploads, restoreUploads, uploadsSent } from '../state/uploads.js';

/**
 * The files attached to one conversation's draft (state/uploads.ts): each
 * starts uploading as soon as it is attached; the message goes once all of
 * them are stored. Opening the conversation resumes what a reload cut off.
 */
export function useUploads(draft: string, target: FileTarget | undefined) {
  const where = target && JSON.stringify(target);
  useEffect(() => {
    if (target) void restoreUploads(draft, target);
  }, [draft, where]);
  const uploads = pendingUploads.value.filter((u) => u.draft === draft);
  return {
    uploads,
    /** Some file is still on its way (a failed one is not: it waits for Retry or removal). */
    busy: uploads.some((u) => !u.fileId && !u.error),
    /** `then`: called with the file's id once stored (instead of waiting for Send). */
    attach(files: readonly File[], then?: (fileId: string) => void) {
      if (target && files.length) attachFiles(draft, target, files, then);
    },
    /** Ids of the files stored so far. */
    ids: () => uploads.flatMap((u) => (u.fileId ? [u.fileId] : [])),
    /** These files went with a message. */
    sent: (ids: readonly string[]) => uploadsSent(ids),
  };
}
