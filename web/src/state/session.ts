import type { LoginResult, User } from '../../../src/sdk/index.js';
import { forgetSession, saveSession, savedSession } from '../lib/storage.js';
import { client } from './client.js';
import { forgetMessageState } from './compose.js';
import { isSignedOut } from './errors.js';
import { initCursor } from './log.js';
import { startLive, stopLive } from './live.js';
import {
  connection,
  contacts,
  conversations,
  me,
  myShow,
  myStatus,
  notice,
  presence,
  roomInvites,
  roomUnread,
  roomViews,
  myRooms,
  unread,
} from './signals.js';
import { deviceName } from '../lib/device.js';
import { showPane } from './nav.js';
import { closeOutbox, loadOutbox } from './outbox.js';
import { forgetRefused } from './chat.js';
import { forgetChats } from './chats.js';
import { closeDrafts, loadDrafts } from './drafts.js';
import { forgetReading } from './reading.js';
import { forgetRooms } from './rooms.js';
import { forgetTyping } from './typing.js';
import { closeUploads } from './uploads.js';

/** How this device is named in my devices list ("Firefox on Linux"). */
const DEVICE = deviceName(navigator.userAgent);

async function begin(user: User): Promise<void> {
  me.value = user;
  loadOutbox(user.id);
  loadDrafts(user.id);
  try {
    await initCursor(user.id);
  } catch (err) {
    if (isSignedOut(err)) return endLocally('Your session has ended. Please sign in again.');
    // Offline at start: the live connection keeps trying and catches up from 0 at worst.
  }
  startLive(endLocally);
}

function started(r: LoginResult): Promise<void> {
  saveSession(r.token, r.user);
  return begin(r.user);
}

export async function signIn(username: string, password: string): Promise<void> {
  await started(await client.login(username, password, DEVICE));
}

/** `invite`: the code an invite-only server asks for (ignored by an open one). */
export async function signUp(username: string, password: string, invite = ''): Promise<void> {
  await started(
    await client.register(username, password, { device: DEVICE, ...(invite ? { invite } : {}) }),
  );
}

/** On page load: carry on with the saved token, if any. */
export async function restore(): Promise<void> {
  const saved = savedSession();
  if (!saved) return;
  client.token = saved.token;
  await begin(saved.user);
}

/** Forgets everything about the session in this tab (the server side is already over). */
function endLocally(why = '', discardOutbox = false): void {
  stopLive();
  // A revoked or expired session keeps its unsent messages for the next sign-in.
  closeOutbox(discardOutbox);
  closeDrafts(discardOutbox);
  closeUploads(discardOutbox);
  forgetRefused();
  forgetSession(me.value?.id);
  client.token = undefined;
  me.value = null;
  contacts.value = [];
  presence.value = {};
  conversations.value = {};
  unread.value = {};
  myRooms.value = {};
  roomInvites.value = [];
  roomViews.value = {};
  roomUnread.value = {};
  forgetRooms();
  forgetTyping();
  forgetChats();
  forgetReading();
  forgetMessageState();
  showPane({});
  myShow.value = 'available';
  myStatus.value = '';
  connection.value = 'offline';
  notice.value = why;
}

export async function signOut(): Promise<void> {
  stopLive();
  try {
    await client.logout();
  } catch {
    /* offline or already revoked: forget it here anyway */
  }
  endLocally('', true);
}
