import { useState } from 'preact/hooks';
import type { DirectoryQuery, Profile } from '../../../src/sdk/index.js';
import { describe } from '../state/errors.js';
import { showPane } from '../state/nav.js';
import { searchPeople } from '../state/people.js';
import { PersonResult } from './PersonResult.js';
import './people.css';

const PAGE = 20;

/** Whole numbers 0-150 (what the directory takes) or empty; anything else is a message. */
function age(text: string, what: string): number | undefined | string {
  const t = text.trim();
  if (!t) return undefined;
  const n = Number(t);
  return Number.isInteger(n) && n >= 0 && n <= 150
    ? n
    : `${what} must be a whole number from 0 to 150.`;
}

/** The directory (docs/protocol.md 5.12): by username, name, city and age, a page at a time. */
export function FindPeople() {
  const [form, setForm] = useState({ username: '', name: '', city: '', ageMin: '', ageMax: '' });
  const [query, setQuery] = useState<DirectoryQuery | null>(null);
  const [results, setResults] = useState<Profile[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const field = (k: keyof typeof form) => ({
    value: form[k],
    onInput: (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value }),
  });

  async function run(q: DirectoryQuery, more: boolean) {
    setBusy(true);
    setError('');
    try {
      const page = await searchPeople({ ...q, limit: PAGE, ...(more ? { after: next } : {}) });
      setResults(more ? [...(results ?? []), ...page.results] : page.results);
      setNext(page.next);
      setQuery(q);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  function submit(e: Event) {
    e.preventDefault();
    const min = age(form.ageMin, 'Minimum age');
    const max = age(form.ageMax, 'Maximum age');
    for (const a of [min, max]) if (typeof a === 'string') return setError(a);
    if (typeof min === 'number' && typeof max === 'number' && min > max)
      return setError('The minimum age is above the maximum age.');
    const q: DirectoryQuery = {};
    for (const k of ['username', 'name', 'city'] as const)
      if (form[k].trim()) q[k] = form[k].trim();
    if (typeof min === 'number') q.ageMin = min;
    if (typeof max === 'number') q.ageMax = max;
    void run(q, false);
  }

  return (
    <section class="directory" aria-labelledby="people-h">
      <header class="conv-head">
        <button type="button" class="back secondary" onClick={() => showPane({})}>
          <span aria-hidden="true">←</span> Back
        </button>
        <h2 id="people-h">Find people</h2>
      </header>
      <div class="pad">
        <form role="search" class="people-form" onSubmit={submit} aria-label="Find people">
          <div class="people-fields">
            <div>
              <label for="pp-username">Username starts with</label>
              <input
                id="pp-username"
                autoCapitalize="none"
                spellcheck={false}
                {...field('username')}
              />
            </div>
            <div>
              <label for="pp-name">Name contains</label>
              <input id="pp-name" {...field('name')} />
            </div>
            <div>
              <label for="pp-city">City</label>
              <input id="pp-city" {...field('city')} />
            </div>
            <div class="ages">
              <div>
                <label for="pp-min">Age from</label>
                <input id="pp-min" inputMode="numeric" {...field('ageMin')} />
              </div>
              <div>
                <label for="pp-max">Age to</label>
                <input id="pp-max" inputMode="numeric" {...field('ageMax')} />
              </div>
            </div>
          </div>
          <p class="hint">
            Only people who let themselves be found are listed; age needs a birth year in their
            profile.
          </p>
          <button type="submit" disabled={busy}>
            Search
          </button>
        </form>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div role="status" class="hint people-count">
          {results &&
            (results.length === 0
              ? 'Nobody found.'
              : `${results.length} shown${next ? ', more below' : ''}.`)}
        </div>
        {results && results.length > 0 && (
          <ul class="people" aria-label="People found">
            {results.map((p) => (
              <PersonResult key={p.userId} p={p} />
            ))}
          </ul>
        )}
        {next && query && (
          <button
            type="button"
            class="secondary wide"
            disabled={busy}
            onClick={() => void run(query, true)}
          >
            Show more
          </button>
        )}
      </div>
    </section>
  );
}
