/**
 * The per-user log that reconnecting devices replay from their cursor
 * (docs/protocol.md, "The log and your cursor"). Services that must not be
 * missed by an offline device append their events here before telling live
 * sessions; the event then carries the log position as `seq`.
 */
export interface Journal {
  append(userId: string, name: string, data: Record<string, unknown>): Promise<number>;
}
