import { execFileSync, spawnSync } from 'node:child_process';

/** Whether a program answers on this machine (irssi, tmux). */
export function installed(program: string, versionFlag = '-V'): boolean {
  const r = spawnSync(program, [versionFlag], { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

/**
 * A terminal program in a tmux session of its own (its own server socket, so
 * nothing else on the machine is touched): keys go in with send-keys, the screen
 * comes back with capture-pane, and the test waits for text to appear by polling
 * the screen until a deadline (a condition, never a fixed sleep).
 */
export class Tmux {
  private readonly socket = `parley-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(command: string[], env: Record<string, string> = {}) {
    this.tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      '220',
      '-y',
      '60',
      ...envArgs(env),
      ...command,
    );
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {
      encoding: 'utf8',
      timeout: 10_000,
    });
  }

  /** Types a line and presses Enter (-l: the text is sent as it is, not as key names). */
  type(line: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', line);
    this.tmux('send-keys', '-t', 'main', 'Enter');
  }

  /** The visible screen and its scrollback, wrapped lines joined. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-2000', '-t', 'main');
  }

  /** Resolves with the screen once `pattern` is on it; rejects with the screen at the deadline. */
  async waitFor(pattern: RegExp, what: string, deadlineMs = 20_000): Promise<string> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const s = this.screen();
      if (pattern.test(s)) return s;
      if (Date.now() > end) throw new Error(`terminal never showed ${what} (${pattern}):\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ends this tmux server (and the program in it). */
  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
}
