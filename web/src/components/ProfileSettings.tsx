import { useEffect, useState } from 'preact/hooks';
import type { Profile } from '../../../src/sdk/index.js';
import { myProfile, saveProfile } from '../state/account.js';
import { describe } from '../state/errors.js';
import { Outcome, useAction } from './useAction.js';
import { AvatarSettings } from './AvatarSettings.js';

type Fields = {
  displayName: string;
  city: string;
  country: string;
  birthYear: string;
  about: string;
};

const fromProfile = (p: Profile): Fields => ({
  displayName: p.displayName,
  city: p.city,
  country: p.country,
  birthYear: p.birthYear === null ? '' : String(p.birthYear),
  about: p.about,
});

/** What others see of me (docs/protocol.md 5.8), and whether the directory lists me. */
export function ProfileSettings() {
  const [f, setF] = useState<Fields | null>(null);
  const [searchable, setSearchable] = useState(true);
  const [loadError, setLoadError] = useState('');
  const a = useAction();
  useEffect(() => {
    myProfile()
      .then((p) => {
        setF(fromProfile(p));
        setSearchable(p.searchable);
      })
      .catch((e: unknown) => setLoadError(describe(e)));
  }, []);
  if (!f)
    return (
      <section aria-labelledby="set-profile-h">
        <h3 id="set-profile-h">Profile</h3>
        {loadError ? (
          <p class="error" role="alert">
            {loadError}
          </p>
        ) : (
          <p class="hint">Loading…</p>
        )}
      </section>
    );
  const field = (k: keyof Fields) => ({
    value: f[k],
    onInput: (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }),
  });

  function submit(e: Event) {
    e.preventDefault();
    const y = f!.birthYear.trim();
    const year = y === '' ? null : Number(y);
    const max = new Date().getUTCFullYear();
    if (year !== null && !(Number.isInteger(year) && year >= 1900 && year <= max))
      return a.setError(`Birth year must be a whole number from 1900 to ${max}, or empty.`);
    void a.run(async () => {
      const p = await saveProfile({
        displayName: f!.displayName,
        city: f!.city,
        country: f!.country,
        about: f!.about,
        birthYear: year,
        searchable,
      });
      setF(fromProfile(p));
    }, 'Profile saved.');
  }

  return (
    <section aria-labelledby="set-profile-h">
      <h3 id="set-profile-h">Profile</h3>
      <AvatarSettings />
      <form onSubmit={submit} class="settings-form">
        <label for="pf-name">Display name</label>
        <input id="pf-name" maxLength={64} {...field('displayName')} />
        <div class="two">
          <div>
            <label for="pf-city">City</label>
            <input id="pf-city" maxLength={64} {...field('city')} />
          </div>
          <div>
            <label for="pf-country">Country</label>
            <input id="pf-country" maxLength={64} {...field('country')} />
          </div>
        </div>
        <label for="pf-year">Birth year</label>
        <input
          id="pf-year"
          inputMode="numeric"
          maxLength={4}
          {...field('birthYear')}
          aria-describedby="pf-year-hint"
        />
        <p class="hint" id="pf-year-hint">
          Others see your age, not the year; it lets people find you by age.
        </p>
        <label for="pf-about">About you</label>
        <textarea id="pf-about" rows={3} maxLength={1024} {...field('about')} />
        <label class="check">
          <input
            type="checkbox"
            checked={searchable}
            onChange={(e) => setSearchable(e.currentTarget.checked)}
          />
          Let people find me in Find people
        </label>
        <button type="submit" disabled={a.busy}>
          Save profile
        </button>
        <Outcome error={a.error} done={a.done} />
      </form>
    </section>
  );
}
