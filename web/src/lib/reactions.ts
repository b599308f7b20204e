/** The emoji offered in the reaction picker. */
export const QUICK_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🎉'];

export interface Reaction {
  emoji: string;
  count: number;
  userIds: string[];
}

/** What a reaction chip says to a screen reader: "👍 2, you reacted". */
export function reactionLabel(r: Reaction, myId: string | undefined): string {
  const mine = myId !== undefined && r.userIds.includes(myId);
  return `${r.emoji} ${r.count}${mine ? ', you reacted' : ''}`;
}

export function iReacted(reactions: Reaction[], emoji: string, myId: string | undefined): boolean {
  return myId !== undefined && !!reactions.find((r) => r.emoji === emoji)?.userIds.includes(myId);
}
