import { useEffect, useState } from 'preact/hooks';
import { describe } from '../state/errors.js';
import { ban, bans, unban } from '../state/moderation.js';

type Ban = Awaited<ReturnType<typeof bans>>[number];

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The bans in force (moderators and up), each with Unban. Read again whenever
 * the room's timeline says someone was banned or unbanned (`version`).
 */
export function BanList({ room, version }: { room: string; version: number }) {
  const [list, setList] = useState<Ban[] | null>(null);
  const [error, setError] = useState('');
  const [who, setWho] = useState('');
  const [reason, setReason] = useState('');

  async function load() {
    try {
      setList(await bans(room));
      setError('');
    } catch (err) {
      setError(describe(err));
    }
  }
  useEffect(() => void load(), [room, version]);

  async function lift(username: string) {
    setError('');
    try {
      await unban(room, username);
      await load();
    } catch (err) {
      setError(describe(err));
    }
  }

  /** A ban may come before a visit: by username, until lifted. */
  async function banByName(e: Event) {
    e.preventDefault();
    const name = who.trim().replace(/^@/, '');
    if (!name) return setError('Enter the username of the person to ban.');
    setError('');
    try {
      await ban(room, name, reason, null);
      setWho('');
      setReason('');
      await load();
    } catch (err) {
      setError(describe(err));
    }
  }

  return (
    <section class="bans" aria-labelledby="bans-h">
      <h3 id="bans-h">Bans</h3>
      {list === null && !error && <p class="hint">Loading…</p>}
      {list?.length === 0 && <p class="hint">Nobody is banned.</p>}
      {list && list.length > 0 && (
        <ul>
          {list.map((b) => (
            <li key={b.username} data-ban={b.username}>
              <span class="ban-who">
                <strong>{b.username}</strong>
                {b.reason && <span class="ban-reason">: {b.reason}</span>}
                <span class="hint">
                  {' '}
                  · {b.expiresAt ? `until ${when.format(b.expiresAt)}` : 'until lifted'}
                </span>
              </span>
              <button
                type="button"
                class="secondary"
                aria-label={`Unban ${b.username}`}
                onClick={() => void lift(b.username)}
              >
                Unban
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="ban-form" onSubmit={(e) => void banByName(e)} noValidate>
        <label for="ban-who">Ban someone by username</label>
        <input
          id="ban-who"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          maxLength={64}
          value={who}
          onInput={(e) => setWho(e.currentTarget.value)}
        />
        <label for="ban-why">Reason (optional)</label>
        <input
          id="ban-why"
          maxLength={300}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <button type="submit" class="danger">
          Ban
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
