import { showPane } from '../state/nav.js';
import { BlockedList } from './BlockedList.js';
import { ChangePassword } from './ChangePassword.js';
import { Devices } from './Devices.js';
import { FilterSettings } from './FilterSettings.js';
import { PrivacySettings } from './PrivacySettings.js';
import { ProfileSettings } from './ProfileSettings.js';
import './settings.css';

/** My account: profile, privacy, devices, password, blocked people and keyword filters. */
export function Settings() {
  return (
    <section class="directory" aria-labelledby="settings-h">
      <header class="conv-head">
        <button type="button" class="back secondary" onClick={() => showPane({})}>
          <span aria-hidden="true">←</span> Back
        </button>
        <h2 id="settings-h">Settings</h2>
      </header>
      <div class="pad settings">
        <ProfileSettings />
        <PrivacySettings />
        <Devices />
        <ChangePassword />
        <BlockedList />
        <FilterSettings />
      </div>
    </section>
  );
}
