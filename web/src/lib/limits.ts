/** The server's size limit for a message's text (core/messages/service.ts MAX_TEXT_BYTES). */
export const MAX_TEXT_BYTES = 16 * 1024;
/** From here on the composer shows how much room is left. */
export const WARN_AT = MAX_TEXT_BYTES - 1024;

const utf8 = new TextEncoder();

/** The size the server counts: UTF-8 bytes, not characters. */
export function textBytes(text: string): number {
  // Cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  return text.length * 3 < WARN_AT ? text.length : utf8.encode(text).length;
}
