import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Contact } from '../../../src/sdk/index.js';
import { allGroups } from '../lib/groups.js';
import { describe } from '../state/errors.js';
import { rename, setGroups } from '../state/people.js';
import { contacts } from '../state/signals.js';

/** A small form under a contact; Escape or Cancel closes it without saving. */
function EditForm(props: {
  title: string;
  save: () => Promise<void>;
  done: () => void;
  children: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => form.current?.querySelector<HTMLElement>('input')?.focus(), []);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await props.save();
      props.done();
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }
  return (
    <form
      ref={form}
      class="contact-edit"
      aria-label={props.title}
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => e.key === 'Escape' && props.done()}
    >
      {props.children}
      <div class="row tight">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" class="secondary" onClick={props.done}>
          Cancel
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** My own name for a contact; empty shows their display name or username again. */
export function RenameForm({ c, done }: { c: Contact; done: () => void }) {
  const [alias, setAlias] = useState(c.alias);
  const id = `alias-${c.userId}`;
  return (
    <EditForm title={`Rename ${c.username}`} save={() => rename(c.username, alias)} done={done}>
      <label for={id}>Your name for {c.username}</label>
      <input
        id={id}
        maxLength={64}
        value={alias}
        onInput={(e) => setAlias(e.currentTarget.value)}
      />
      <p class="hint">Only you see it. Leave it empty to show their own name.</p>
    </EditForm>
  );
}

/** Which of my groups a contact is in: the groups in use, plus a new one. */
export function GroupsForm({ c, done }: { c: Contact; done: () => void }) {
  const known = allGroups([...contacts.value.filter((x) => x.inRoster), c]);
  const [chosen, setChosen] = useState<string[]>(c.groups);
  const [fresh, setFresh] = useState('');
  const id = `group-${c.userId}`;
  function save() {
    const extra = fresh.trim();
    const next = extra && !chosen.includes(extra) ? [...chosen, extra] : chosen;
    return setGroups(c.username, next);
  }
  return (
    <EditForm title={`Groups for ${c.username}`} save={save} done={done}>
      {known.length > 0 && (
        <fieldset class="groups-pick">
          <legend>Groups for {c.username}</legend>
          {known.map((g) => (
            <label key={g} class="check">
              <input
                type="checkbox"
                checked={chosen.includes(g)}
                onChange={(e) =>
                  setChosen(
                    e.currentTarget.checked ? [...chosen, g] : chosen.filter((x) => x !== g),
                  )
                }
              />
              {g}
            </label>
          ))}
        </fieldset>
      )}
      <label for={id}>New group</label>
      <input
        id={id}
        maxLength={64}
        value={fresh}
        onInput={(e) => setFresh(e.currentTarget.value)}
      />
    </EditForm>
  );
}
