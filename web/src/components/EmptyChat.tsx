import { showPane } from '../state/nav.js';
import { Avatar } from './Avatar.js';
import { Glyph } from './glyphs.js';
import './empty-states.css';

/** A direct chat with no message yet: who, and a first step. */
export function DmEmpty(props: {
  username: string;
  name: string;
  avatar: string | null | undefined;
  /** Sends a first greeting (absent when I may not write). */
  onWave?: (() => void) | undefined;
}) {
  return (
    <div class="empty-state">
      <span class="empty-avatar">
        <Avatar username={props.username} name={props.name} hash={props.avatar} />
      </span>
      <p class="empty-title">Say hello to {props.name}</p>
      <p>No messages yet. Write below, send a photo, or record a voice note.</p>
      {props.onWave && (
        <button type="button" class="secondary wave" onClick={props.onWave}>
          <span class="emoji-glyph" aria-hidden="true">
            👋
          </span>{' '}
          Wave hello
        </button>
      )}
    </div>
  );
}

/** A room with no message yet (its creation and joins are above): a first step. */
export function RoomEmpty(props: { name: string; onInvite?: (() => void) | undefined }) {
  return (
    <div class="empty-state">
      <span class="empty-avatar">
        <Avatar username={`#${props.name}`} name={props.name} hash={null} />
      </span>
      <p class="empty-title">Welcome to #{props.name}</p>
      <p>
        No messages yet.{' '}
        {props.onInvite ? 'Invite people, then start the conversation.' : 'Start the conversation.'}
      </p>
      {props.onInvite && (
        <button type="button" onClick={props.onInvite}>
          <Glyph name="invite" size={18} /> Invite people
        </button>
      )}
    </div>
  );
}

/** The main pane with no conversation open. */
export function NoChatOpen() {
  return (
    <section class="no-chat" aria-labelledby="no-chat-h">
      <span class="no-chat-icon" aria-hidden="true">
        <Glyph name="chat" size={36} />
      </span>
      <h2 id="no-chat-h">No chat open</h2>
      <p>Choose a conversation from the list, or start a new one.</p>
      <div class="no-chat-actions">
        <button type="button" onClick={() => showPane({ pane: 'people' })}>
          <Glyph name="invite" size={18} /> Find someone to talk to
        </button>
        <button type="button" class="secondary" onClick={() => showPane({ browse: true })}>
          <Glyph name="rooms" size={18} /> Explore rooms
        </button>
      </div>
    </section>
  );
}
