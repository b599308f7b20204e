import { useEffect, useState } from 'preact/hooks';
import type { DeviceSession } from '../../../src/sdk/index.js';
import { timeAgo } from '../lib/reltime.js';
import { devices, signOutDevice, signOutOtherDevices } from '../state/account.js';
import { now } from '../state/clock.js';
import { describe } from '../state/errors.js';
import { Outcome, useAction } from './useAction.js';

/** Where I am signed in; any other device can be signed out from here. */
export function Devices() {
  const [list, setList] = useState<{ sessions: DeviceSession[]; current: string } | null>(null);
  const [loadError, setLoadError] = useState('');
  const a = useAction();
  const load = () =>
    devices()
      .then(setList)
      .catch((e: unknown) => setLoadError(describe(e)));
  useEffect(() => void load(), []);

  function revoke(s: DeviceSession) {
    void a.run(async () => {
      await signOutDevice(s.id);
      await load();
    }, `${s.device} was signed out.`);
  }

  function revokeOthers() {
    void a.run(async () => {
      await signOutOtherDevices();
      await load();
    }, 'Every other device was signed out.');
  }
  const others = list ? list.sessions.length - 1 : 0;

  return (
    <section aria-labelledby="set-devices-h">
      <h3 id="set-devices-h">Devices</h3>
      {loadError && (
        <p class="error" role="alert">
          {loadError}
        </p>
      )}
      {list && (
        <ul class="devices">
          {list.sessions.map((s) => {
            const mine = s.id === list.current;
            return (
              <li key={s.id} class="device" data-session={s.id} data-current={mine || undefined}>
                <div class="names">
                  <span class="name">
                    {s.device}
                    {mine && <span class="this"> (this device)</span>}
                  </span>
                  <span class="status">
                    Last used {timeAgo(s.lastSeenAt, now.value)}
                    {s.lastAddress && ` from ${s.lastAddress}`} · signed in{' '}
                    {new Date(s.createdAt).toLocaleDateString()}
                  </span>
                </div>
                {!mine && (
                  <button
                    type="button"
                    class="secondary"
                    disabled={a.busy}
                    aria-label={`Sign out ${s.device}, last used ${timeAgo(s.lastSeenAt, now.value)}`}
                    onClick={() => revoke(s)}
                  >
                    Sign out
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {others > 0 && (
        <button type="button" class="secondary" disabled={a.busy} onClick={revokeOthers}>
          Sign out all other devices
        </button>
      )}{' '}
      <button type="button" class="link" onClick={() => void load()}>
        Refresh the list
      </button>
      <Outcome error={a.error} done={a.done} />
    </section>
  );
}
