/**
 * Files attached to a draft and not yet sent, kept in IndexedDB so a reload
 * resumes their uploads (PATCH from the server's offset) instead of losing
 * them. Bounded: a file over MAX_KEPT_BYTES, or beyond MAX_KEPT per person, is
 * not kept (its upload lasts as long as the tab); a record older than the
 * server's 24-hour limit on unfinished uploads is dropped when read. Where
 * IndexedDB is missing or refuses (private windows, storage full), every
 * call quietly does nothing.
 */
export const MAX_KEPT_BYTES = 50 * 1024 * 1024;
export const MAX_KEPT = 20;
const MAX_AGE_MS = 24 * 3600 * 1000;

export interface KeptFile {
  key: string;
  owner: string;
  /** The draft (conversation target key) the file belongs to. */
  draft: string;
  name: string;
  blob: Blob;
  /** The server's upload, once made: resumed at its offset. */
  uploadId?: string;
  /** The server's file, once stored: sent with the message. */
  fileId?: string;
  /** A voice note (its length as recorded): it goes alone once stored, not with the draft. */
  voice?: { durationMs: number };
  at: number;
}

const STORE = 'files';
let opening: Promise<IDBDatabase | undefined> | undefined;

function db(): Promise<IDBDatabase | undefined> {
  opening ??= new Promise((resolve) => {
    try {
      const req = indexedDB.open('parley-uploads', 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(undefined);
      req.onblocked = () => resolve(undefined);
    } catch {
      resolve(undefined);
    }
  });
  return opening;
}

async function run<T>(
  mode: IDBTransactionMode,
  work: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T | undefined> {
  const d = await db();
  if (!d) return undefined;
  return new Promise((resolve) => {
    try {
      const req = work(d.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(undefined);
    } catch {
      resolve(undefined);
    }
  });
}

async function all(owner: string): Promise<KeptFile[]> {
  const list = ((await run('readonly', (s) => s.getAll())) ?? []) as KeptFile[];
  return list.filter((k) => k.owner === owner);
}

/** Keeps a newly attached file, if it fits the bounds; true when kept. */
export async function keep(k: KeptFile): Promise<boolean> {
  if (k.blob.size > MAX_KEPT_BYTES) return false;
  if ((await all(k.owner)).length >= MAX_KEPT) return false;
  return (await run('readwrite', (s) => s.put(k))) !== undefined;
}

/** Notes the upload id or the stored file id of a kept file. */
export async function note(
  key: string,
  patch: Partial<Pick<KeptFile, 'uploadId' | 'fileId'>>,
): Promise<void> {
  // One transaction, so a `forget` called after this one cannot fall between its get and put.
  const d = await db();
  if (!d) return;
  await new Promise<void>((resolve) => {
    try {
      const tx = d.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const req = store.get(key);
      req.onsuccess = () => {
        if (req.result) store.put({ ...(req.result as KeptFile), ...patch });
      };
      tx.oncomplete = tx.onerror = tx.onabort = () => resolve();
    } catch {
      resolve();
    }
  });
}

export async function forget(key: string): Promise<void> {
  await run('readwrite', (s) => s.delete(key));
}

/** A person's kept files for one draft, oldest first; expired ones are forgotten. */
export async function keptFor(owner: string, draft: string): Promise<KeptFile[]> {
  const now = Date.now();
  const mine = await all(owner);
  for (const k of mine) if (now - k.at > MAX_AGE_MS) await forget(k.key);
  return mine
    .filter((k) => k.draft === draft && now - k.at <= MAX_AGE_MS && k.blob instanceof Blob)
    .sort((a, b) => a.at - b.at);
}

/** Signing out on purpose: forget every file this person kept. */
export async function forgetAll(owner: string): Promise<void> {
  for (const k of await all(owner)) await forget(k.key);
}
