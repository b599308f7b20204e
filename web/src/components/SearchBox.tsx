import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { snippetPieces } from '../lib/snippet.js';
import { describe } from '../state/errors.js';
import {
  MAX_QUERY,
  hasWord,
  searchHistory,
  showFound,
  whereFound,
  type Found,
} from '../state/search.js';
import { me } from '../state/signals.js';
import { targetKey, type Target } from '../state/target.js';
import './search.css';
import { Glyph } from './glyphs.js';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A snippet with its matches as <mark>, built from text (never HTML). */
function Snippet({ text }: { text: string }) {
  return (
    <span class="snippet">
      {snippetPieces(text).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : p.text))}
    </span>
  );
}

/**
 * Searching the history on screen, from its header: results newest first
 * with their snippets, a page at a time; choosing one shows it in the
 * history (loading the messages around it) and closes the search.
 */
export function SearchBox({ target }: { target: Target }) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [asked, setAsked] = useState('');
  const [results, setResults] = useState<Found[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  /** Every conversation and room at once, not only this one. */
  const [everywhere, setEverywhere] = useState(false);
  const [askedEverywhere, setAskedEverywhere] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  /** Answers to an older query are dropped. */
  const generation = useRef(0);

  useLayoutEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  function close() {
    setOpen(false);
    toggle.current?.focus();
  }

  async function run(more: boolean) {
    const query = more ? asked : q.trim();
    if (!more && !hasWord(query)) {
      setError('Type a word to search for.');
      return;
    }
    const gen = ++generation.current;
    setBusy(true);
    setError('');
    try {
      const all = more ? askedEverywhere : everywhere;
      const page = await searchHistory(all ? null : target, query, more ? next : undefined);
      if (gen !== generation.current) return;
      setAsked(query);
      setAskedEverywhere(all);
      setResults(more ? [...results, ...page.results] : page.results);
      setNext(page.next);
    } catch (err) {
      if (gen === generation.current) setError(describe(err));
    } finally {
      if (gen === generation.current) setBusy(false);
    }
  }

  function choose(f: Found) {
    setOpen(false);
    void showFound(askedEverywhere ? whereFound(f, me.value?.id) : target, f.message.seq);
  }

  /** "in #garden", "with bob": where a result of a search everywhere is. */
  function place(f: Found): string {
    const t = whereFound(f, me.value?.id);
    if (targetKey(t) === targetKey(target)) return 'here';
    return t.kind === 'room' ? `in #${t.name}` : `with ${t.key}`;
  }

  const panel = 'search-panel';
  return (
    <div class="search">
      <button
        type="button"
        class="search-toggle icon-button"
        ref={toggle}
        aria-label="Search in conversation"
        aria-expanded={open}
        aria-controls={open ? panel : undefined}
        title="Search in conversation"
        onClick={() => (open ? close() : setOpen(true))}
      >
        <Glyph name="search" />
      </button>
      {open && (
        <div
          class="search-panel"
          id={panel}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              close();
            }
          }}
        >
          <form
            role="search"
            class="search-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(false);
            }}
          >
            <label for="search-q" class="visually-hidden">
              Search messages
            </label>
            <input
              id="search-q"
              ref={input}
              type="search"
              maxLength={MAX_QUERY}
              placeholder="Search messages"
              value={q}
              aria-invalid={error ? true : undefined}
              onInput={(e) => {
                setQ(e.currentTarget.value);
                setError('');
              }}
            />
            <label class="everywhere">
              <input
                type="checkbox"
                checked={everywhere}
                onChange={(e) => setEverywhere(e.currentTarget.checked)}
              />{' '}
              All chats
            </label>
            <button type="submit" disabled={busy}>
              Find
            </button>
            <button type="button" class="secondary" onClick={close}>
              Close
            </button>
          </form>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <p class="hint" role="status">
            {busy
              ? 'Searching…'
              : asked && !error
                ? results.length === 0
                  ? `No messages found for “${asked}”.`
                  : `${results.length}${next ? '+' : ''} result${results.length === 1 ? '' : 's'} for “${asked}”`
                : ''}
          </p>
          {results.length > 0 && (
            <ol class="results" aria-label="Search results">
              {results.map((f) => (
                <li key={f.message.id}>
                  <button type="button" class="result" onClick={() => choose(f)}>
                    <span class="result-head">
                      <strong>
                        {f.message.from.userId === me.value?.id ? 'You' : f.message.from.username}
                      </strong>{' '}
                      {askedEverywhere && <span class="where">{place(f)}</span>}{' '}
                      <time dateTime={new Date(f.message.createdAt).toISOString()}>
                        {when.format(f.message.createdAt)}
                      </time>
                    </span>
                    <Snippet text={f.snippet} />
                  </button>
                </li>
              ))}
            </ol>
          )}
          {next && (
            <button type="button" class="link more" disabled={busy} onClick={() => void run(true)}>
              More results
            </button>
          )}
        </div>
      )}
    </div>
  );
}
