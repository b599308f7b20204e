import { type Kysely, type Selectable, sql } from 'kysely';
import type { FileStore } from '../../core/files/store.js';
import type { FileWithMessage, PendingUpload, StoredFile } from '../../core/files/types.js';
import type { Database, FilesTable, FileUploadsTable } from './tables.js';

const toUpload = (r: Selectable<FileUploadsTable>): PendingUpload => ({
  id: r.id,
  uploaderId: r.uploader_id,
  conversationId: r.conversation_id,
  name: r.name,
  size: Number(r.size),
  received: Number(r.received),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toFile = (r: Selectable<FilesTable>): StoredFile => ({
  id: r.id,
  sha256: r.sha256,
  name: r.name,
  size: Number(r.size),
  type: r.type,
  width: r.width === null ? null : Number(r.width),
  height: r.height === null ? null : Number(r.height),
  blurhash: r.blurhash ?? null,
  uploaderId: r.uploader_id,
  conversationId: r.conversation_id,
  createdAt: Number(r.created_at),
  token: r.token,
  clientId: r.client_id,
  claimedAt: r.claimed_at === null ? null : Number(r.claimed_at),
});

const FILE_COLUMNS = [
  'f.id',
  'f.sha256',
  'f.name',
  'f.size',
  'f.type',
  'f.width',
  'f.height',
  'f.blurhash',
  'f.uploader_id',
  'f.conversation_id',
  'f.created_at',
  'f.token',
  'f.client_id',
  'f.claimed_at',
] as const;

/** core/files' FileStore on either database. */
export function createSqlFileStore(db: Kysely<Database>): FileStore {
  /** The files' rows, each with the message its uploader sent under its client id (if any). */
  async function withMessages(ids: readonly string[]): Promise<FileWithMessage[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('files as f')
      .leftJoin('messages as m', (j) =>
        j
          .onRef('m.sender_id', '=', 'f.uploader_id')
          .onRef('m.client_id', '=', 'f.client_id')
          .onRef('m.conversation_id', '=', 'f.conversation_id'),
      )
      .select(FILE_COLUMNS)
      .select([
        'm.id as m_id',
        'm.seq as m_seq',
        'm.recipient_id as m_recipient',
        'm.deleted_at as m_deleted',
        'm.visible_to_recipient as m_visible',
        'm.filtered as m_filtered',
      ])
      .where('f.id', 'in', [...ids])
      .execute();
    return rows.map((r) => {
      const f: FileWithMessage = toFile(r as unknown as Selectable<FilesTable>);
      if (r.m_id !== null && r.m_id !== undefined)
        f.message = {
          id: r.m_id,
          seq: Number(r.m_seq),
          recipientId: r.m_recipient!,
          deletedAt: r.m_deleted === null ? null : Number(r.m_deleted),
          visibleToRecipient: Number(r.m_visible) === 1 && Number(r.m_filtered) === 0,
        };
      return f;
    });
  }

  /** Of these blobs, the ones no file row names any more. */
  async function unreferenced(shas: readonly string[]): Promise<string[]> {
    if (shas.length === 0) return [];
    const still = new Set(
      (
        await db
          .selectFrom('files')
          .select('sha256')
          .where('sha256', 'in', [...new Set(shas)])
          .execute()
      ).map((r) => r.sha256),
    );
    // An avatar, a person's or a room's (core/files/pictures.ts), may name the same blob.
    for (const table of ['avatars', 'room_avatars'] as const)
      for (const r of await db
        .selectFrom(table)
        .select('sha256')
        .where('sha256', 'in', [...new Set(shas)])
        .execute())
        still.add(r.sha256);
    return [...new Set(shas)].filter((s) => !still.has(s));
  }

  return {
    async createUpload(u) {
      await db
        .insertInto('file_uploads')
        .values({
          id: u.id,
          uploader_id: u.uploaderId,
          conversation_id: u.conversationId,
          name: u.name,
          size: u.size,
          received: u.received,
          created_at: u.createdAt,
          updated_at: u.updatedAt,
        })
        .execute();
    },
    async upload(id) {
      const r = await db
        .selectFrom('file_uploads')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return r && toUpload(r);
    },
    async setReceived(id, received, at) {
      await db
        .updateTable('file_uploads')
        .set({ received, updated_at: at })
        .where('id', '=', id)
        .execute();
    },
    async removeUpload(id) {
      await db.deleteFrom('file_uploads').where('id', '=', id).execute();
    },
    async usage(userId) {
      const files = await db
        .selectFrom('files')
        .select(sql<string | number | null>`sum(size)`.as('n'))
        .where('uploader_id', '=', userId)
        .executeTakeFirst();
      const pending = await db
        .selectFrom('file_uploads')
        .select(sql<string | number | null>`sum(size)`.as('n'))
        .where('uploader_id', '=', userId)
        .executeTakeFirst();
      return Number(files?.n ?? 0) + Number(pending?.n ?? 0);
    },
    async complete(uploadId, f) {
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('files')
          .values({
            id: f.id,
            sha256: f.sha256,
            name: f.name,
            size: f.size,
            type: f.type,
            width: f.width,
            blurhash: f.blurhash,
            height: f.height,
            uploader_id: f.uploaderId,
            conversation_id: f.conversationId,
            created_at: f.createdAt,
            token: f.token,
            client_id: f.clientId,
            claimed_at: f.claimedAt,
          })
          .execute();
        await tx.deleteFrom('file_uploads').where('id', '=', uploadId).execute();
      });
    },
    files: withMessages,
    async claim(ids, uploaderId, conversationId, clientId, at) {
      if (ids.length === 0) return [];
      // Free, already this send's, or claimed by a send that never stored its message.
      await db
        .updateTable('files')
        .set({ client_id: clientId, claimed_at: at })
        .where('id', 'in', [...ids])
        .where('uploader_id', '=', uploaderId)
        .where('conversation_id', '=', conversationId)
        .where((eb) =>
          eb.or([
            eb('client_id', 'is', null),
            eb('client_id', '=', clientId),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('messages as m')
                  .select('m.id')
                  .whereRef('m.sender_id', '=', 'files.uploader_id')
                  .whereRef('m.client_id', '=', 'files.client_id'),
              ),
            ),
          ]),
        )
        .execute();
      const rows = await db
        .selectFrom('files')
        .select('id')
        .where('id', 'in', [...ids])
        .where('client_id', '=', clientId)
        .execute();
      return rows.map((r) => r.id);
    },
    async ofMessage(conversationId, uploaderId, clientId) {
      const rows = await db
        .selectFrom('files')
        .selectAll()
        .where('uploader_id', '=', uploaderId)
        .where('client_id', '=', clientId)
        .where('conversation_id', '=', conversationId)
        .execute();
      return rows.map(toFile);
    },
    async remove(ids) {
      if (ids.length === 0) return [];
      const gone = await db
        .deleteFrom('files')
        .where('id', 'in', [...ids])
        .returning('sha256')
        .execute();
      return unreferenced(gone.map((r) => r.sha256));
    },
    async referenced(sha256) {
      const r = await db
        .selectFrom('files')
        .select('id')
        .where('sha256', '=', sha256)
        .limit(1)
        .executeTakeFirst();
      if (r !== undefined) return true;
      for (const table of ['avatars', 'room_avatars'] as const) {
        const a = await db
          .selectFrom(table)
          .select('sha256')
          .where('sha256', '=', sha256)
          .limit(1)
          .executeTakeFirst();
        if (a !== undefined) return true;
      }
      return false;
    },
    async stale(uploadsBefore, unsentBefore, limit) {
      const uploads = await db
        .selectFrom('file_uploads')
        .selectAll()
        .where('updated_at', '<', uploadsBefore)
        .limit(limit)
        .execute();
      const unsent = await db
        .selectFrom('files as f')
        .leftJoin('messages as m', (j) =>
          j
            .onRef('m.sender_id', '=', 'f.uploader_id')
            .onRef('m.client_id', '=', 'f.client_id')
            .onRef('m.conversation_id', '=', 'f.conversation_id'),
        )
        .select('f.id')
        .where((eb) =>
          eb.or([
            eb('m.deleted_at', 'is not', null),
            eb.and([eb('m.id', 'is', null), eb('f.created_at', '<', unsentBefore)]),
          ]),
        )
        .limit(limit)
        .execute();
      return { uploads: uploads.map(toUpload), files: unsent.map((r) => r.id) };
    },
  };
}
