import { closeConversation, loadOlder, retry, send } from '../state/chat.js';
import { contacts, conversations, presence } from '../state/signals.js';
import { iAmTyping, iStoppedTyping, typingFrom } from '../state/typing.js';
import { BlockControl } from './BlockControl.js';
import { Composer } from './Composer.js';
import { MessageList } from './MessageList.js';
import { presenceText } from './ContactItem.js';
import { PresenceDot } from './PresenceDot.js';

/** A direct conversation: who, the history, and the composer. */
export function ConversationView({ who }: { who: string }) {
  const conv = conversations.value[who];
  const contact = contacts.value.find((c) => c.username.toLowerCase() === who);
  const p = contact ? presence.value[contact.userId] : undefined;
  const name = contact?.alias || contact?.displayName || contact?.username || who;
  return (
    <section class="conversation" aria-labelledby="conv-h">
      <header class="conv-head">
        <button type="button" class="back secondary" onClick={closeConversation}>
          <span aria-hidden="true">←</span> Contacts
        </button>
        <PresenceDot p={p} />
        <h2 id="conv-h">{name}</h2>
        <span class="status">{presenceText(p)}</span>
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
          loading={conv.loading}
          label={`Messages with ${name}`}
          onOlder={() => void loadOlder(who)}
          onRetry={(m) => void retry(who, m)}
        />
      )}
      <p class="typing" role="status">
        {typingFrom.value[who] ? `${name} is typing…` : ''}
      </p>
      <Composer
        name={name}
        onSend={(text) => void send(who, text)}
        onTyping={() => iAmTyping(who)}
        onStop={() => iStoppedTyping(who)}
      />
    </section>
  );
}
