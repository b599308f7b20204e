import { effect } from '@preact/signals';
import { routeOf } from '../lib/route.js';
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
  fromAddress(() => {
    if (r.dm) void openConversation(r.dm);
    else if (r.room) void openRoom(r.room);
    else showPane(r);
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
