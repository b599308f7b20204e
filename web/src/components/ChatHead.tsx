import type { ComponentChildren } from 'preact';
import { showPane } from '../state/nav.js';
import { Glyph } from './glyphs.js';
import './chat-head.css';

/**
 * A conversation's header, as messengers have it: Back (on a phone), the
 * picture, the name with a status line under it, and icon actions at the end
 * (the rest in one ⋯ menu). A popover (a confirmation) may hang under it.
 */
export function ChatHead(props: {
  titleId: string;
  title: ComponentChildren;
  avatar: ComponentChildren;
  /** The line under the name: presence, typing, or a room's members and topic. */
  sub: ComponentChildren;
  /** Icon buttons and the ⋯ menu. */
  actions: ComponentChildren;
  /** Hangs under the header, over the history (Block?, Leave?). */
  pop?: ComponentChildren;
}) {
  return (
    <header class="conv-head chat-head">
      <button
        type="button"
        class="back icon-button"
        aria-label="Back to chats"
        title="Back to chats"
        onClick={() => showPane({})}
      >
        <Glyph name="back" />
      </button>
      <span class="head-avatar">{props.avatar}</span>
      <div class="head-titles">
        <h2 id={props.titleId}>{props.title}</h2>
        <p class="head-sub">{props.sub}</p>
      </div>
      <div class="head-actions">{props.actions}</div>
      {props.pop && <div class="head-pop">{props.pop}</div>}
    </header>
  );
}
