import { useState } from 'preact/hooks';
import { dmChats } from '../state/chats.js';
import { tickFor } from '../lib/ticks.js';
import { loadOlder, dropFailed, send } from '../state/chat.js';
import { editing, lastEditable, refill, replyTo, replying } from '../state/compose.js';
import { describe } from '../state/errors.js';
import { latest, newer } from '../state/history.js';
import { handleOf, nameOf } from '../state/names.js';
import { theirMarkers } from '../state/receipts.js';
import { contacts, conversations, me, notice, presence } from '../state/signals.js';
import { dm, sourceOf, targetKey } from '../state/target.js';
import { iAmTyping, iStoppedTyping, typingFrom } from '../state/typing.js';
import { isBlockedName, unblock } from '../state/people.js';
import { Avatar } from './Avatar.js';
import { BlockedNotice } from './BlockedNotice.js';
import { ChatHead } from './ChatHead.js';
import { Composer } from './Composer.js';
import { BlockConfirm, presenceText } from './ContactItem.js';
import { DmEmpty } from './EmptyChat.js';
import { Glyph } from './glyphs.js';
import { Menu } from './Menu.js';
import { MessageList } from './MessageList.js';
import { PresenceDot } from './PresenceDot.js';
import { SearchBox } from './SearchBox.js';

/** A direct conversation: who, the history, and the composer. */
export function ConversationView({ who }: { who: string }) {
  // Where I had read to when the chat opened (it is marked read as it shows).
  const [readAt] = useState(() => dmChats.value[who]?.read);
  const [blocking, setBlocking] = useState(false);
  const conv = conversations.value[who];
  const contact = contacts.value.find((c) => c.username.toLowerCase() === who);
  const p = contact ? presence.value[contact.userId] : undefined;
  const name = nameOf(contact?.username ?? dmChats.value[who]?.username ?? who);
  const handle = handleOf(contact?.username ?? who);
  const target = dm(who);
  const key = targetKey(target);
  const reply = replying.value[key] ?? null;
  const theirs = theirMarkers.value[who];
  const myId = me.value?.id;
  const blocked = isBlockedName(who);
  const typing = !!typingFrom.value[who];
  const write = (text: string, attachments?: string[]) => {
    replyTo(key, null);
    void send(who, text, undefined, reply?.id ?? null, attachments);
  };
  return (
    <section class="conversation" aria-labelledby="conv-h">
      <ChatHead
        titleId="conv-h"
        title={name}
        avatar={
          <>
            <Avatar username={who} name={name} hash={contact?.avatar} />
            {contact && <PresenceDot p={p} />}
          </>
        }
        sub={
          <>
            {/* The name is for screen readers: the header already says whose chat this is. */}
            <span class="typing" role="status">
              {typing && !blocked && (
                <>
                  <span class="visually-hidden">{name} is </span>typing…
                </>
              )}
            </span>
            {(!typing || blocked) && (
              <span class="status">
                {handle && <span class="handle">{handle} · </span>}
                {blocked ? 'Blocked' : contact ? presenceText(p) : 'Not in your contacts'}
              </span>
            )}
          </>
        }
        actions={
          <>
            <SearchBox target={target} />
            <Menu
              label="More options"
              icon={<Glyph name="more" />}
              items={[
                blocked
                  ? {
                      label: `Unblock ${who}`,
                      run: () =>
                        void unblock(who).catch((e: unknown) => (notice.value = describe(e))),
                    }
                  : { label: `Block ${who}`, danger: true, run: () => setBlocking(true) },
              ]}
            />
          </>
        }
        pop={
          blocking && !blocked && <BlockConfirm username={who} done={() => setBlocking(false)} />
        }
      />
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
          empty={
            <DmEmpty
              username={who}
              name={name}
              avatar={contact?.avatar}
              onWave={blocked ? undefined : () => write('👋')}
            />
          }
        />
      )}
      {blocked ? (
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
          onSend={write}
          onTyping={() => iAmTyping(who)}
          onStop={() => iStoppedTyping(who)}
        />
      )}
    </section>
  );
}
