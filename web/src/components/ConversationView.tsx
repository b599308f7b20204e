import { Avatar } from './Avatar.js';
import { useState } from 'preact/hooks';
import { dmChats } from '../state/chats.js';
import { tickFor } from '../lib/ticks.js';
import { closeConversation, loadOlder, dropFailed, send } from '../state/chat.js';
import { editing, lastEditable, refill, replyTo, replying } from '../state/compose.js';
import { latest, newer } from '../state/history.js';
import { theirMarkers } from '../state/receipts.js';
import { contacts, conversations, me, presence } from '../state/signals.js';
import { dm, sourceOf, targetKey } from '../state/target.js';
import { iAmTyping, iStoppedTyping, typingFrom } from '../state/typing.js';
import { isBlockedName } from '../state/people.js';
import { BlockControl } from './BlockControl.js';
import { BlockedNotice } from './BlockedNotice.js';
import { Composer } from './Composer.js';
import { MessageList } from './MessageList.js';
import { presenceText } from './ContactItem.js';
import { PresenceDot } from './PresenceDot.js';
import { SearchBox } from './SearchBox.js';

/** A direct conversation: who, the history, and the composer. */
export function ConversationView({ who }: { who: string }) {
  // Where I had read to when the chat opened (it is marked read as it shows).
  const [readAt] = useState(() => dmChats.value[who]?.read);
  const conv = conversations.value[who];
  const contact = contacts.value.find((c) => c.username.toLowerCase() === who);
  const p = contact ? presence.value[contact.userId] : undefined;
  const name = contact?.alias || contact?.displayName || contact?.username || who;
  const target = dm(who);
  const key = targetKey(target);
  const reply = replying.value[key] ?? null;
  const theirs = theirMarkers.value[who];
  const myId = me.value?.id;
  return (
    <section class="conversation" aria-labelledby="conv-h">
      <header class="conv-head">
        <button type="button" class="back secondary" onClick={closeConversation}>
          <span aria-hidden="true">←</span> Contacts
        </button>
        <Avatar username={who} name={name} hash={contact?.avatar} />
        <PresenceDot p={p} />
        <h2 id="conv-h">{name}</h2>
        <span class="status">{presenceText(p)}</span>
        <SearchBox target={target} />
        <BlockControl username={who} />
      </header>
      {conv?.error && (
        <p class="error" role="alert">
          {conv.error}
        </p>
      )}
      {conv && (
        <MessageList
          messages={conv.messages}
          more={conv.more}
          newer={conv.newer}
          jump={conv.jump}
          loading={conv.loading}
          label={`Messages with ${name}`}
          target={target}
          readAt={readAt}
          tick={(m) => (m.from.userId === myId ? tickFor(m, theirs) : undefined)}
          onOlder={() => void loadOlder(who)}
          onNewer={() => void newer(sourceOf(target))}
          onLatest={() => void latest(sourceOf(target))}
          onFailed={(m, how) => {
            dropFailed(who, m);
            if (how === 'edit') refill.value = { key, text: m.text };
          }}
        />
      )}
      <p class="typing" role="status">
        {typingFrom.value[who] ? `${name} is typing…` : ''}
      </p>
      {isBlockedName(who) ? (
        <BlockedNotice username={who} name={name} />
      ) : (
        <Composer
          draftKey={key}
          name={name}
          replying={reply}
          onCancelReply={() => replyTo(key, null)}
          onEditLast={() => {
            const m = conv && lastEditable(conv.messages);
            if (m) editing.value = m.id;
          }}
          files={{ to: who }}
          onSend={(text, attachments) => {
            replyTo(key, null);
            void send(who, text, undefined, reply?.id ?? null, attachments);
          }}
          onTyping={() => iAmTyping(who)}
          onStop={() => iStoppedTyping(who)}
        />
      )}
    </section>
  );
}
