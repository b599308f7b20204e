import { afterAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * In-band registration (XEP-0077) over raw XML, following the server's
 * registration policy as the web sign-up does: open, invite, closed, the
 * throttle per address; a password change and an account deletion that need
 * the current password, asked for with a form.
 */
const PASSWORD = 'correct horse battery';
const REG = 'jabber:iq:register';

const errorCondition = (el: Element): string | undefined =>
  el.getChild('error')?.elements()[0]?.name;

/** A stream before login, over direct TLS, with its features. */
async function before(port: number): Promise<{ c: RawXmpp; features: Element }> {
  const c = await RawXmpp.tls(port);
  c.open();
  return { c, features: await c.features() };
}

const form = (type: string, fields: Record<string, string>) =>
  `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>${type}</value></field>${Object.entries(
    fields,
  )
    .map(([k, v]) => `<field var='${k}'><value>${v}</value></field>`)
    .join('')}</x>`;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP in-band registration (${backend.name})`, () => {
    const nodes: Awaited<ReturnType<typeof startSingle>>[] = [];
    const open: RawXmpp[] = [];
    afterAll(async () => {
      for (const c of open) c.close();
      for (const n of nodes) await n.dispose();
    });
    const start = async (registration: Record<string, unknown>) => {
      const node = await startSingle(backend, { xmpp: { port: -1, tls_port: 0 }, registration });
      nodes.push(node);
      return { node, port: xmppPorts(node).tlsPort! };
    };

    it('open: the form, an account made, then SASL logs in; the web takes it too', async () => {
      const { node, port } = await start({ policy: 'open' });
      const { c, features } = await before(port);
      open.push(c);
      expect(features.getChild('register', 'http://jabber.org/features/iq-register')).toBeTruthy();
      const get = await c.iq('get', `<query xmlns='${REG}'/>`);
      const q = get.getChild('query', REG)!;
      expect(q.getChild('username')).toBeTruthy();
      expect(q.getChild('password')).toBeTruthy();
      const name = uname('ir');
      const made = await c.iq(
        'set',
        `<query xmlns='${REG}'><username>${name}</username><password>${PASSWORD}</password></query>`,
      );
      expect(made.attr('type')).toBe('result');
      // The same name again is a conflict; a short password not acceptable.
      const again = await c.iq(
        'set',
        `<query xmlns='${REG}'><username>${name}</username><password>${PASSWORD}</password></query>`,
      );
      expect(errorCondition(again)).toBe('conflict');
      const weak = await c.iq(
        'set',
        `<query xmlns='${REG}'><username>${uname('iw')}</username><password>x</password></query>`,
      );
      expect(errorCondition(weak)).toBe('not-acceptable');
      const noName = await c.iq(
        'set',
        `<query xmlns='${REG}'><password>${PASSWORD}</password></query>`,
      );
      expect(errorCondition(noName)).toBe('not-acceptable');
      // The form works as well as the legacy fields.
      const viaForm = uname('if');
      const f = await c.iq(
        'set',
        `<query xmlns='${REG}'>${form(REG, { username: viaForm, password: PASSWORD })}</query>`,
      );
      expect(f.attr('type')).toBe('result');
      // Now log in on the same stream, and on the web.
      expect((await c.plain(name, PASSWORD)).name).toBe('success');
      await node.client().login(viaForm, PASSWORD);
      // Nothing else is allowed before login.
      const other = await before(port);
      open.push(other.c);
      other.c.send("<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>");
      const err = await other.c.streamError();
      expect(err.elements()[0]!.name).toBe('not-authorized');
    });

    it('invite: the code is a form field; without a good one, not-allowed', async () => {
      const { node, port } = await start({ policy: 'invite' });
      const { c } = await before(port);
      open.push(c);
      const get = await c.iq('get', `<query xmlns='${REG}'/>`);
      const vars = get
        .getChild('query', REG)!
        .getChild('x', 'jabber:x:data')!
        .getChildren('field')
        .map((x) => x.attr('var'));
      expect(vars).toContain('invite');
      const name = uname('ii');
      const none = await c.iq(
        'set',
        `<query xmlns='${REG}'><username>${name}</username><password>${PASSWORD}</password></query>`,
      );
      expect(errorCondition(none)).toBe('not-allowed');
      const bad = await c.iq(
        'set',
        `<query xmlns='${REG}'>${form(REG, { username: name, password: PASSWORD, invite: 'nope' })}</query>`,
      );
      expect(errorCondition(bad)).toBe('not-allowed');
      const { code } = await node.parley.core.accounts.createInvite({
        uses: 1,
        expiresInSeconds: 3600,
      });
      const good = await c.iq(
        'set',
        `<query xmlns='${REG}'>${form(REG, { username: name, password: PASSWORD, invite: code })}</query>`,
      );
      expect(good.attr('type')).toBe('result');
      await node.client().login(name, PASSWORD);
    });

    it('closed: no feature, and service-unavailable', async () => {
      const { port } = await start({ policy: 'closed' });
      const { c, features } = await before(port);
      open.push(c);
      expect(
        features.getChild('register', 'http://jabber.org/features/iq-register'),
      ).toBeUndefined();
      const r = await c.iq(
        'set',
        `<query xmlns='${REG}'><username>${uname('ic')}</username><password>${PASSWORD}</password></query>`,
      );
      expect(errorCondition(r)).toBe('service-unavailable');
    });

    it('is throttled per address like the web sign-up', async () => {
      const { port } = await start({ policy: 'open', accounts_per_address_per_hour: 1 });
      const { c } = await before(port);
      open.push(c);
      const reg = (n: string) =>
        c.iq(
          'set',
          `<query xmlns='${REG}'><username>${n}</username><password>${PASSWORD}</password></query>`,
        );
      expect((await reg(uname('it'))).attr('type')).toBe('result');
      expect(errorCondition(await reg(uname('it')))).toBe('resource-constraint');
    });

    it('signed in: a password change and a deletion need the current password', async () => {
      const { node, port } = await start({ policy: 'open' });
      const name = uname('ip');
      await node.client().register(name, PASSWORD);
      const c = await xmppLogin(port, name, PASSWORD);
      open.push(c);
      const get = await c.iq('get', `<query xmlns='${REG}'/>`);
      expect(get.getChild('query', REG)!.getChild('registered')).toBeTruthy();
      // The legacy change has no old password: the form asks for it.
      const legacy = await c.iq(
        'set',
        `<query xmlns='${REG}'><username>${name}</username><password>new password here</password></query>`,
      );
      expect(errorCondition(legacy)).toBe('not-authorized');
      const asked = legacy
        .getChild('query', REG)!
        .getChild('x', 'jabber:x:data')!
        .getChildren('field')
        .map((x) => x.attr('var'));
      expect(asked).toEqual(['FORM_TYPE', 'username', 'old_password', 'password']);
      const change = (old: string) =>
        c.iq(
          'set',
          `<query xmlns='${REG}'>${form('jabber:iq:register:changepassword', {
            username: name,
            old_password: old,
            password: 'new password here',
          })}</query>`,
        );
      expect(errorCondition(await change('wrong password'))).toBe('not-authorized');
      expect((await change(PASSWORD)).attr('type')).toBe('result');
      await node.client().login(name, 'new password here');
      // Someone else's password cannot be changed.
      const other = await c.iq(
        'set',
        `<query xmlns='${REG}'><username>someone</username><password>whatever12345</password></query>`,
      );
      expect(errorCondition(other)).toBe('bad-request');
      // Cancel: the form asks for the password; with it the account is gone.
      const bare = await c.iq('set', `<query xmlns='${REG}'><remove/></query>`);
      expect(errorCondition(bare)).toBe('not-authorized');
      const wrong = await c.iq(
        'set',
        `<query xmlns='${REG}'><remove/>${form('jabber:iq:register:cancel', { password: PASSWORD })}</query>`,
      );
      expect(errorCondition(wrong)).toBe('not-authorized');
      const done = await c.iq(
        'set',
        `<query xmlns='${REG}'><remove/>${form('jabber:iq:register:cancel', { password: 'new password here' })}</query>`,
      );
      expect(done.attr('type')).toBe('result');
      await c.whenClosed();
      await expect(node.client().login(name, 'new password here')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
    });
  });
}
