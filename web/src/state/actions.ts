import type { MessageResult, RoomMessageResult } from '../../../src/sdk/index.js';
import { client } from './client.js';
import { describe } from './errors.js';
import { enqueue, logEntry } from './log.js';
import { applyRoomResult } from './rooms.js';
import type { Shown } from './signals.js';
import { sourceOf, type Target } from './target.js';

/**
 * Editing, deleting and reacting to a message, direct or in a room
 * (docs/protocol.md 5.33-5.35, 12.23-12.25). The answer is applied like the
 * event my other devices get, so every view updates in place the same way.
 */
type Change = 'edited' | 'deleted' | 'reaction';

async function apply(t: Target, r: MessageResult | RoomMessageResult, change: Change) {
  if (t.kind === 'room') return applyRoomResult(t.name, r as RoomMessageResult, change);
  const seq = (r as MessageResult).seq;
  await enqueue(() => logEntry(seq ?? undefined, 'message', { message: r.message, change }));
}

/** Saves a new text; answers the problem to show, or '' when saved. Bad input changes nothing. */
export async function editMessage(t: Target, m: Shown, text: string): Promise<string> {
  if (!text.trim()) return 'A message cannot be empty. To remove it, delete it instead.';
  if (text === m.text) return '';
  try {
    const r =
      t.kind === 'dm'
        ? await client.editMessage(m.id, text)
        : await client.rooms.edit(t.name, m.id, text);
    await apply(t, r, 'edited');
    return '';
  } catch (err) {
    return describe(err);
  }
}

function failed(t: Target, err: unknown): void {
  sourceOf(t).patch(() => ({ error: describe(err) }));
}

export async function deleteMessage(t: Target, m: Shown): Promise<void> {
  try {
    const r =
      t.kind === 'dm' ? await client.deleteMessage(m.id) : await client.rooms.delete(t.name, m.id);
    await apply(t, r, 'deleted');
  } catch (err) {
    failed(t, err);
  }
}

/** Adds my reaction with `emoji`, or (`on` false) takes it back. */
export async function react(t: Target, m: Shown, emoji: string, on: boolean): Promise<void> {
  try {
    const r =
      t.kind === 'dm'
        ? await client.react(m.id, emoji, on)
        : await client.rooms.react(t.name, m.id, emoji, on);
    await apply(t, r, 'reaction');
  } catch (err) {
    failed(t, err);
  }
}
