/**
 * A message's files in a line, for a chat's preview when it has no text: "🎤 Voice note",
 * "📷 Photo", "📷 2 photos", "📎 plan.pdf", "📎 3 files". A preview from the server
 * (no attachments in it) of a message with no text says "📎 File".
 */
export function filesLine(files: readonly { name: string; type: string }[] | undefined): string {
  if (!files?.length) return '📎 File';
  const n = files.length;
  if (files.every((f) => f.type.startsWith('audio/')))
    return n === 1
      ? `🎤 ${files[0]!.name.startsWith('Voice note') ? 'Voice note' : files[0]!.name}`
      : `🎤 ${n} sound files`;
  if (files.every((f) => f.type.startsWith('image/')))
    return n === 1 ? '📷 Photo' : `📷 ${n} photos`;
  if (files.every((f) => f.type.startsWith('video/')))
    return n === 1 ? '🎬 Video' : `🎬 ${n} videos`;
  return n === 1 ? `📎 ${files[0]!.name}` : `📎 ${n} files`;
}
