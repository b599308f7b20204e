import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { fullTime } from '../lib/days.js';
import type { Tick } from '../lib/ticks.js';
import { deleteMessage, react } from '../state/actions.js';
import { editing, replyTo } from '../state/compose.js';
import { jumpToId, jump } from '../state/history.js';
import { nameOf } from '../state/names.js';
import { quoted } from '../state/quotes.js';
import { contacts, isBlocked, me, type Shown } from '../state/signals.js';
import { messageLink } from '../lib/route.js';
import { sourceOf, targetKey, type Target } from '../state/target.js';
import './messages.css';
import { Menu } from './Menu.js';
import { MessageActions } from './MessageActions.js';
import { MessageEditor } from './MessageEditor.js';
import { Attachments } from './Attachments.js';
import { Avatar } from './Avatar.js';
import { Glyph } from './glyphs.js';
import { LinkPreviewSlot } from './LinkPreviewSlot.js';
import { MessageText } from './MessageText.js';
import { Name } from './Name.js';
import { Reactions } from './Reactions.js';
import { ReplyQuote } from './ReplyQuote.js';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

const TICKS: Record<'sent' | 'delivered' | 'read', { glyph: string; word: string }> = {
  sent: { glyph: '✓', word: 'Sent' },
  delivered: { glyph: '✓✓', word: 'Delivered' },
  read: { glyph: '✓✓', word: 'Read' },
};

/** Where focus goes when an edit ends: back to the composer. */
function focusComposer(): void {
  document.getElementById('composer-text')?.focus();
}

export function MessageItem(props: {
  m: Shown;
  target: Target;
  /** I may delete others' messages here (a room moderator and up). */
  moderator: boolean;
  /** How far my direct message got (undefined: not shown). */
  tick?: Tick;
  highlighted: boolean;
  /** Where it sits in its group of messages from one person (lib/timeline.ts). */
  first: boolean;
  last: boolean;
  onFailed: (how: 'edit' | 'delete') => void;
}) {
  const { m, target } = props;
  const mine = m.from.userId === me.value?.id;
  const stored = !m.pending;
  const isEditing = editing.value === m.id;
  const [confirming, setConfirming] = useState(false);
  // In a room, a message from someone I blocked stays (others answer it; a moderator
  // may need it) but folded, until I ask to see it.
  const [revealed, setRevealed] = useState(false);
  const folded =
    target.kind === 'room' && !mine && !m.deleted && !revealed && isBlocked(m.from.userId);
  const confirmBox = useRef<HTMLDivElement>(null);
  const item = useRef<HTMLLIElement>(null);

  useLayoutEffect(() => {
    if (confirming) confirmBox.current?.querySelector<HTMLElement>('button.cancel')?.focus();
  }, [confirming]);

  function endConfirm() {
    setConfirming(false);
    item.current?.querySelector<HTMLElement>('.actions-toggle')?.focus();
  }

  function showOriginal() {
    if (!m.replyTo) return;
    const q = quoted(m.replyTo);
    const src = sourceOf(target);
    void (q ? jump(src, q.seq) : jumpToId(src, m.replyTo, m.seq));
  }

  const tick = props.tick && props.tick in TICKS ? TICKS[props.tick as keyof typeof TICKS] : null;
  const inRoom = target.kind === 'room';
  const { first, last } = props;
  const rowClass = `msg ${mine ? 'mine' : 'theirs'}${first ? ' first' : ''}${last ? ' last' : ''}`;
  // In a room, others' groups carry an avatar beside their last bubble (a blank of the same width above it).
  const side = inRoom && !mine && (
    <span class="msg-avatar" aria-hidden="true">
      {last && <AuthorAvatar userId={m.from.userId} username={m.from.username} />}
    </span>
  );
  if (folded)
    return (
      <li class={`${rowClass} folded`} data-seq={m.seq} data-id={m.id} tabIndex={-1} ref={item}>
        {side}
        <div class="bubble">
          <p class="text blocked-note">
            A message from someone you blocked.{' '}
            <button type="button" class="link" onClick={() => setRevealed(true)}>
              Show it
            </button>
          </p>
        </div>
      </li>
    );
  // My bubble in the accent colour, unless it needs the plain one to be read (editing, confirming, failed).
  const accent = mine && !m.pending && !isEditing && !confirming;
  return (
    <li
      class={`${rowClass}${props.highlighted ? ' jumped' : ''}`}
      data-seq={m.seq}
      data-id={m.id}
      id={m.pending ? undefined : `msg-${m.seq}`}
      data-pending={m.pending}
      tabIndex={-1}
      ref={item}
    >
      {side}
      <div class={`bubble${accent ? ' accent' : ''}${isEditing ? ' editing' : ''}`}>
        {/* A name once per group, in rooms only: a direct chat has one other person. */}
        {inRoom && !mine && first && (
          <span class="author">
            <Name username={m.from.username} handle="shared" />
          </span>
        )}
        {m.replyTo && <ReplyQuote id={m.replyTo} onShow={showOriginal} />}
        {m.deleted ? (
          <p class="text deleted">This message was deleted.</p>
        ) : isEditing ? (
          <MessageEditor
            m={m}
            target={target}
            onDone={() => {
              editing.value = null;
              focusComposer();
            }}
          />
        ) : (
          <>
            {(m.text || !m.attachments?.length) && <MessageText text={m.text} />}
            {!m.pending && m.text && <LinkPreviewSlot text={m.text} />}
            {m.attachments?.length ? <Attachments files={m.attachments} /> : null}
          </>
        )}
        {!m.deleted && (
          <Reactions
            reactions={m.reactions}
            onToggle={(emoji, on) => void react(target, m, emoji, on)}
          />
        )}
        <span class="meta">
          {m.editedAt !== null && !m.deleted && <span class="edited">edited </span>}
          <time dateTime={new Date(m.createdAt).toISOString()} title={fullTime(m.createdAt)}>
            {time.format(m.createdAt)}
          </time>
          {m.pending === 'sending' && (
            <span class="sending" title="Sending…">
              {' '}
              <Glyph name="clock" size={12} />
              <span class="visually-hidden">Sending…</span>
            </span>
          )}
          {m.pending === 'failed' && <strong class="not-sent"> Not sent</strong>}
          {tick && (
            <span class="tick" data-tick={props.tick} title={tick.word}>
              {' '}
              <span aria-hidden="true">{tick.glyph}</span>
              <span class="visually-hidden">{tick.word}</span>
            </span>
          )}
        </span>
        {confirming && (
          <div class="confirm" role="group" aria-label="Confirm deletion" ref={confirmBox}>
            <span>
              {mine
                ? 'Delete this message for everyone?'
                : `Delete ${nameOf(m.from.username)}’s message for everyone?`}
            </span>
            <button
              type="button"
              class="danger"
              onClick={() => {
                setConfirming(false);
                void deleteMessage(target, m);
              }}
            >
              Yes, delete
            </button>
            <button
              type="button"
              class="secondary cancel"
              onClick={endConfirm}
              onKeyDown={(e) => e.key === 'Escape' && endConfirm()}
            >
              Cancel
            </button>
          </div>
        )}
      </div>
      {/* Sending again could only fail the same way: take it back, copy it, or let it go. */}
      {m.pending === 'failed' && (
        <div class="msg-actions failed-actions">
          <Menu
            label="Actions for the message not sent"
            items={[
              { label: 'Copy text', run: () => void navigator.clipboard?.writeText(m.text) },
              { label: 'Edit', run: () => props.onFailed('edit') },
              { label: 'Delete', run: () => props.onFailed('delete') },
            ]}
          />
        </div>
      )}
      {stored && !m.deleted && !isEditing && (
        <MessageActions
          m={m}
          canEdit={mine}
          canDelete={mine || props.moderator}
          onReact={(emoji, on) => void react(target, m, emoji, on)}
          onReply={() => {
            replyTo(targetKey(target), m);
            focusComposer();
          }}
          link={messageLink(target, m.seq)}
          onEdit={() => (editing.value = m.id)}
          onDelete={() => setConfirming(true)}
        />
      )}
    </li>
  );
}

/** A room member's picture (or initials): from my contacts when I know it. */
function AuthorAvatar({ userId, username }: { userId: string; username: string }) {
  const c = contacts.value.find((x) => x.userId === userId);
  return <Avatar username={username} name={nameOf(username)} hash={c?.avatar} />;
}
