import { useEffect, useRef } from 'preact/hooks';
import { myProfile } from '../state/account.js';
import { myAvatar } from '../state/avatars.js';
import { client } from '../state/client.js';
import { me } from '../state/signals.js';
import { Avatar } from './Avatar.js';
import { Outcome, useAction } from './useAction.js';

/** My picture: upload (PNG, JPEG, WebP, GIF up to 512 KB) or remove; contacts see it everywhere. */
export function AvatarSettings() {
  const a = useAction();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (myAvatar.value === undefined)
      void myProfile()
        .then((p) => (myAvatar.value = p.avatar))
        .catch(() => {});
  }, []);
  const username = me.value?.username ?? '';
  function pick(e: Event) {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > 512 * 1024) return a.setError('A picture may be at most 512 KB.');
    void a.run(async () => {
      myAvatar.value = (await client.setAvatar(file)).hash;
    }, 'Picture saved.');
  }
  return (
    <div class="avatar-settings">
      <Avatar username={username} name={username} hash={myAvatar.value} />
      <input
        ref={input}
        type="file"
        class="visually-hidden"
        aria-label="Picture file"
        accept="image/png,image/jpeg,image/webp,image/gif"
        onChange={pick}
      />
      <button
        type="button"
        class="secondary"
        disabled={a.busy}
        onClick={() => input.current?.click()}
      >
        {myAvatar.value ? 'Change picture' : 'Add a picture'}
      </button>
      {myAvatar.value && (
        <button
          type="button"
          class="secondary"
          disabled={a.busy}
          onClick={() =>
            void a.run(async () => {
              await client.removeAvatar();
              myAvatar.value = null;
            }, 'Picture removed.')
          }
        >
          Remove picture
        </button>
      )}
      <Outcome error={a.error} done={a.done} />
    </div>
  );
}
