/**
 * Each screen's address (issue 15, bug 12): a direct chat, a room, the room
 * directory and the named panes. The server serves the page at these paths
 * (src/doors/http/home.ts, WEB_ROUTES), so a reload, Back and a shared link
 * land on the same screen. Pure: the history calls live in state/nav.ts.
 */
export interface Route {
  dm?: string;
  room?: string;
  browse?: boolean;
  pane?: string;
}

/** Longer than any username (32) or room name: what is longer is no address of ours. */
const MAX_PART = 100;

export function urlOf(r: Route): string {
  if (r.dm) return `/chat/${encodeURIComponent(r.dm)}`;
  if (r.room) return `/room/${encodeURIComponent(r.room)}`;
  if (r.browse) return '/rooms';
  if (r.pane) return `/p/${encodeURIComponent(r.pane)}`;
  return '/';
}

/** The screen at `path` (a location's pathname); `{}` for the start screen or no address of ours. */
export function routeOf(path: string): Route {
  if (path === '/rooms') return { browse: true };
  const m = /^\/(chat|room|p)\/([^/]+)$/.exec(path);
  if (!m) return {};
  let part: string;
  try {
    part = decodeURIComponent(m[2]!);
  } catch {
    return {};
  }
  // eslint-disable-next-line no-control-regex
  if (part.length > MAX_PART || /[\u0000-\u001f\u007f/]/.test(part)) return {};
  if (m[1] === 'chat') return { dm: part.toLowerCase() };
  if (m[1] === 'room') return { room: part };
  return { pane: part };
}

/** A message's anchor in its conversation's address: `#msg-<seq>`. */
export function messageLink(
  t: { kind: 'dm'; key: string } | { kind: 'room'; name: string },
  seq: number,
  origin = location.origin,
): string {
  return `${origin}${urlOf(t.kind === 'dm' ? { dm: t.key } : { room: t.name })}#msg-${seq}`;
}

/** The message an address points at (`#msg-<seq>`), or null. */
export function messageOf(hash: string): number | null {
  const m = /^#msg-(\d{1,15})$/.exec(hash);
  return m ? Number(m[1]) : null;
}
