import { isParleyError } from '../../../core/errors.js';
import { type Element, xml } from '../codec/element.js';
import { errorReply, type StanzaErrorCondition } from '../codec/errors.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { DATA_FORMS, field, formType, readForm } from '../mapping/forms.js';
import { XMLNS } from '../xmlns.js';
import type { IqHandler } from './index.js';
import { result } from './server.js';

/**
 * In-band registration (XEP-0077) through core's registration service, as
 * the web's sign-up and NickServ REGISTER: the operator's policy (open,
 * invite with a code, closed), the same username and password rules, the
 * sign-up throttle per address. Signed in, a client changes its password or
 * cancels its account; both need the current password, as on the web, asked
 * for with a data form (XEP-0077 3.2, 3.3) when it is not given.
 */

const INSTRUCTIONS = 'Choose a username and a password; the web client takes the same password.';
const CHANGE_FORM = 'jabber:iq:register:changepassword';
const CANCEL_FORM = 'jabber:iq:register:cancel';

/** The fields a set gives: legacy elements, or a submitted form (which wins). */
function fields(q: Element): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const name of ['username', 'password']) {
    const v = q.getChildText(name, XMLNS.register);
    if (v !== undefined) out.set(name, v);
  }
  const x = q.getChild('x', DATA_FORMS);
  if (x) {
    const form = readForm(x);
    if (!form) return undefined;
    for (const [k, v] of form) {
      if (v.length > 1) return undefined;
      if (v.length === 1) out.set(k, v[0]!);
    }
  }
  return out;
}

/** An error answer that carries a form to fill in (XEP-0077 3.2.1, 3.3.1). */
function askForm(
  c: XmppConnection,
  iq: Element,
  condition: StanzaErrorCondition,
  text: string,
  form: Element,
): void {
  const reply = errorReply(iq, condition, { text });
  if (!reply) return;
  c.write(
    xml('iq', reply.attrs, xml('query', { xmlns: XMLNS.register }, form), ...reply.elements()),
  );
}

function failed(c: XmppConnection, iq: Element, err: unknown): void {
  const e = stanzaCondition(err);
  if (e.internal) c.log.error({ err }, 'xmpp: registration failed');
  // XEP-0077 3.1.1: a taken username is a conflict, a refused value not-acceptable.
  const condition = e.condition === 'bad-request' ? 'not-acceptable' : e.condition;
  c.error(iq, condition, e.text);
}

/** The registration form as the policy has it. */
function signUpForm(c: XmppConnection): Element {
  const invite = c.core.accounts.registrationPolicy() === 'invite';
  return xml(
    'x',
    { xmlns: DATA_FORMS, type: 'form' },
    xml('title', {}, 'Create an account'),
    xml('instructions', {}, INSTRUCTIONS),
    formType(XMLNS.register),
    field('username', 'text-single', { label: 'Username', required: true }),
    field('password', 'text-private', { label: 'Password', required: true }),
    invite && field('invite', 'text-single', { label: 'Invite code', required: true }),
  );
}

/**
 * Before login (on a stream that may log in: TLS when it is required). The
 * account made is not logged in: the client authenticates with SASL next.
 */
export async function registerBeforeLogin(c: XmppConnection, iq: Element): Promise<void> {
  const type = iq.attr('type');
  if (type === 'result' || type === 'error') return;
  if (iq.attr('id') === undefined) return c.error(iq, 'bad-request', 'an iq needs an id');
  const q = iq.getChild('query', XMLNS.register);
  if (!q || iq.elements().length !== 1) return c.fail('not-authorized', 'log in first');
  if (c.core.accounts.registrationPolicy() === 'closed')
    return c.error(iq, 'service-unavailable', 'this server does not accept new accounts');
  if (type === 'get') {
    c.write(
      result(
        iq,
        xml(
          'query',
          { xmlns: XMLNS.register },
          xml('instructions', {}, INSTRUCTIONS),
          xml('username'),
          xml('password'),
          signUpForm(c),
        ),
      ),
    );
    return;
  }
  if (type !== 'set') return c.error(iq, 'bad-request', 'type is get or set');
  if (q.getChild('remove', XMLNS.register))
    return c.error(iq, 'not-authorized', 'log in to cancel an account');
  const f = fields(q);
  if (!f) return c.error(iq, 'bad-request', 'a malformed data form');
  const username = f.get('username')?.trim();
  const password = f.get('password');
  if (!username || !password) return c.error(iq, 'not-acceptable', 'a username and a password');
  const invite = f.get('invite')?.trim();
  try {
    const made = await c.core.accounts.register({
      username,
      password,
      ...(invite ? { invite } : {}),
      device: 'XMPP (registration)',
      address: c.address,
    });
    // The sign-up's stored session is not this stream's: it logs in with SASL.
    await c.core.accounts.revokeSession(made.user.id, made.session.id).catch(() => {});
    c.write(result(iq));
  } catch (err) {
    failed(c, iq, err);
  }
}

export const REGISTER: Record<string, IqHandler> = {
  // Signed in: the account is registered (XEP-0077 3.2).
  [`get {${XMLNS.register}}query`]: (c, iq) =>
    c.write(
      result(
        iq,
        xml(
          'query',
          { xmlns: XMLNS.register },
          xml('registered'),
          xml('username', {}, c.auth!.user.username),
        ),
      ),
    ),
  [`set {${XMLNS.register}}query`]: async (c, iq, q) => {
    const auth = c.auth!;
    const f = fields(q);
    if (!f) return c.error(iq, 'bad-request', 'a malformed data form');
    if (q.getChild('remove', XMLNS.register)) {
      const password = f.get('password');
      if (!password)
        return askForm(
          c,
          iq,
          'not-authorized',
          'give your password to delete your account',
          xml(
            'x',
            { xmlns: DATA_FORMS, type: 'form' },
            xml('title', {}, 'Delete your account'),
            formType(CANCEL_FORM),
            field('username', 'text-single', { values: [auth.user.username] }),
            field('password', 'text-private', { label: 'Password', required: true }),
          ),
        );
      try {
        await c.core.accounts.deleteAccount(auth, password, c.address);
        // The account's logins end with it (this stream too, on the revocation).
        c.write(result(iq));
      } catch (err) {
        failed(c, iq, err);
      }
      return;
    }
    const username = f.get('username')?.trim().toLowerCase();
    const password = f.get('password');
    if (username !== undefined && username !== auth.user.username)
      return c.error(iq, 'bad-request', 'you can change only your own password');
    if (!password) return c.error(iq, 'not-acceptable', 'give the new password');
    const old = f.get('old_password');
    if (old === undefined)
      return askForm(
        c,
        iq,
        'not-authorized',
        'give your current password too',
        xml(
          'x',
          { xmlns: DATA_FORMS, type: 'form' },
          xml('title', {}, 'Change your password'),
          formType(CHANGE_FORM),
          field('username', 'text-single', { values: [auth.user.username] }),
          field('old_password', 'text-private', { label: 'Current password', required: true }),
          field('password', 'text-private', { label: 'New password', required: true }),
        ),
      );
    try {
      await c.core.accounts.changePassword(auth, old, password, c.address);
      c.write(result(iq));
    } catch (err) {
      // A wrong current password is not-authorized (XEP-0077 3.3).
      if (isParleyError(err) && err.condition === 'invalid-credentials')
        return c.error(iq, 'not-authorized', err.message);
      failed(c, iq, err);
    }
  },
};
