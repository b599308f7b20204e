import { createRequire } from 'node:module';

/**
 * irc-framework (a real IRC client library, used by Kiwi IRC and many bots)
 * for the e2e tests. It ships no types: this is the part of its API the tests use.
 */
interface FrameworkClient {
  connect(options: Record<string, unknown>): void;
  on(event: string, fn: (e: Record<string, unknown>) => void): void;
  join(channel: string): void;
  say(target: string, text: string): void;
  raw(...args: string[]): void;
  quit(message?: string): void;
  network: { cap: { enabled: string[] } };
  user: { nick: string };
}

const require = createRequire(import.meta.url);
const { Client } = require('irc-framework') as { Client: new () => FrameworkClient };

/** Events irc-framework emits that the tests look at. */
const EVENTS = [
  'registered',
  'join',
  'part',
  'topic',
  'userlist',
  'privmsg',
  'notice',
  'kick',
  'mode',
  'loggedin',
  'sasl failed',
  'irc error',
  'close',
  'pong',
  'whois',
  'wholist',
  'channel info',
] as const;

export type LibEvent = { event: string } & Record<string, unknown>;

/**
 * One irc-framework connection: every event it emits is kept, and the test waits
 * for an event matching a condition (never for time; 15 s is the failure bound).
 */
export class LibIrc {
  readonly client: FrameworkClient = new Client();
  readonly events: LibEvent[] = [];
  readonly raw: string[] = [];
  private waiters: { match: (e: LibEvent) => boolean; resolve: (e: LibEvent) => void }[] = [];

  constructor() {
    for (const name of EVENTS)
      this.client.on(name, (e) => {
        const ev = { ...(e ?? {}), event: name } as LibEvent;
        this.events.push(ev);
        for (const w of [...this.waiters])
          if (w.match(ev)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(ev);
          }
      });
    this.client.on('raw', (e) => {
      if (this.raw.length < 5000) this.raw.push(`${e.from_server ? '<' : '>'} ${String(e.line)}`);
    });
  }

  /** Connects with SASL PLAIN as `username`; resolves once registered (after the MOTD). */
  static async login(
    port: number,
    username: string,
    password: string,
    opts: { echo?: boolean } = {},
  ): Promise<LibIrc> {
    const c = new LibIrc();
    c.client.connect({
      host: '127.0.0.1',
      port,
      nick: username,
      username: username.slice(0, 10),
      gecos: 'irc-framework test',
      account: { account: username, password },
      enable_echomessage: opts.echo ?? false,
      auto_reconnect: false,
      ping_interval: 0,
      ping_timeout: 0,
    });
    await c.wait('registered', () => true, 'registration');
    return c;
  }

  wait(event: string, match: (e: LibEvent) => boolean, what: string): Promise<LibEvent> {
    const m = (e: LibEvent) => e.event === event && match(e);
    const seen = this.events.find(m);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `irc-framework: no '${event}' event for: ${what}\nlines:\n${this.raw.join('\n')}`,
            ),
          ),
        15_000,
      );
      this.waiters.push({
        match: m,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** A PRIVMSG whose text is `text` (and, if given, whose target is `target`). */
  message(text: string, target?: string): Promise<LibEvent> {
    return this.wait(
      'privmsg',
      (e) => e.message === text && (target === undefined || e.target === target),
      `PRIVMSG ${target ?? '*'} :${text}`,
    );
  }

  close(): void {
    this.client.quit('bye');
  }
}
