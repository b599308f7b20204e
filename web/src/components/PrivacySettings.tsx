import { useEffect, useState } from 'preact/hooks';
import { privacy, setPrivacy, type Privacy } from '../state/account.js';
import { describe } from '../state/errors.js';
import { previewsOn } from '../state/previews.js';
import { Outcome, useAction } from './useAction.js';

/** Last seen, read receipts and link previews (docs/protocol.md 5.28-5.29); each switch saves at once. */
export function PrivacySettings() {
  const [p, setP] = useState<Privacy | null>(null);
  const [loadError, setLoadError] = useState('');
  const a = useAction();
  useEffect(() => {
    privacy()
      .then((got) => {
        setP(got);
        previewsOn.value = got.linkPreviews;
      })
      .catch((e: unknown) => setLoadError(describe(e)));
  }, []);
  // The switch moves at once; if the server refuses, it goes back and says why.
  async function toggle(k: keyof Privacy, on: boolean) {
    const was = p!;
    setP({ ...was, [k]: on });
    const saved = await a.run(async () => {
      const now = await setPrivacy({ [k]: on });
      setP(now);
      previewsOn.value = now.linkPreviews;
    }, 'Saved.');
    if (!saved) setP(was);
  }
  return (
    <section aria-labelledby="set-privacy-h">
      <h3 id="set-privacy-h">Privacy</h3>
      {loadError && (
        <p class="error" role="alert">
          {loadError}
        </p>
      )}
      {p && (
        <>
          <label class="check">
            <input
              type="checkbox"
              checked={p.showLastSeen}
              onChange={(e) => void toggle('showLastSeen', e.currentTarget.checked)}
            />
            Show when I was last online
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={p.sendReceipts}
              onChange={(e) => void toggle('sendReceipts', e.currentTarget.checked)}
            />
            Send read receipts
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={p.linkPreviews}
              onChange={(e) => void toggle('linkPreviews', e.currentTarget.checked)}
            />
            Show link previews
          </label>
          <p class="hint">
            Only people who see your presence see when you were last online. Without read receipts,
            others do not learn when you read their messages. Link previews are fetched by the
            server, never by your browser.
          </p>
          <Outcome error={a.error} done={a.done} />
        </>
      )}
    </section>
  );
}
