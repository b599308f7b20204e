import { effect } from '@preact/signals';
import { messageOf, routeOf } from '../lib/route.js';
import { jump } from './history.js';
import { dm, room, sourceOf } from './target.js';
import { openConversation } from './chat.js';
import { fromAddress, showPane } from './nav.js';
import { openRoom } from './rooms.js';
import { me } from './signals.js';

/**
 * The screen follows the address bar: at sign-in (a reload, a bookmark, a link
 * someone shared) and on Back and Forward. Signed out, the address waits for
 * the sign-in.
 */
function follow(): void {
  const r = routeOf(location.pathname);
  const seq = messageOf(location.hash);
  fromAddress(() => {
    const opened = r.dm ? openConversation(r.dm) : r.room ? openRoom(r.room) : null;
    if (!opened) return showPane(r);
    // A link to a message: once the conversation is there, scroll to it and mark it.
    if (seq !== null)
      void opened.then(() => jump(sourceOf(r.dm ? dm(r.dm) : room(r.room!)), seq)).catch(() => {});
  });
}

let signedIn = false;
effect(() => {
  const now = me.value !== null;
  if (now && !signedIn) follow();
  signedIn = now;
});

addEventListener('popstate', () => {
  if (me.peek()) follow();
});
// A message link pasted into this tab's address bar changes only the hash.
addEventListener('hashchange', () => {
  if (me.peek()) follow();
});
