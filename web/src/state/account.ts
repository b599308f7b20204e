import type { DeviceSession, Profile, ProfilePatch } from '../../../src/sdk/index.js';
import { client } from './client.js';

/** My own account: profile, privacy, devices, password and keyword filters. */
export type Privacy = { showLastSeen: boolean; sendReceipts: boolean; linkPreviews: boolean };

export async function myProfile(): Promise<Profile> {
  return (await client.me()).profile;
}

export function saveProfile(patch: ProfilePatch): Promise<Profile> {
  return client.updateProfile(patch);
}

export function privacy(): Promise<Privacy> {
  return client.privacy();
}

export function setPrivacy(patch: Partial<Privacy>): Promise<Privacy> {
  return client.updatePrivacy(patch);
}

export function devices(): Promise<{ sessions: DeviceSession[]; current: string }> {
  return client.sessions();
}

/** Signs another device out: the server closes its connections (4002) at once. */
export function signOutDevice(id: string): Promise<void> {
  return client.revokeSession(id);
}

/** Signs out every device but this one (and any IRC or XMPP login); resolves with how many. */
export function signOutOtherDevices(): Promise<number> {
  return client.revokeOtherSessions();
}

/** Every other device is signed out by the server; this one stays. */
export function changePassword(oldPassword: string, newPassword: string): Promise<void> {
  return client.changePassword(oldPassword, newPassword);
}

export const filters = () => client.filters();
export const addFilter = (phrase: string) => client.addFilter(phrase);
export const removeFilter = (phrase: string) => client.removeFilter(phrase);
