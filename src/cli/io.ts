import type { Readable, Writable } from 'node:stream';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
}

export const processIO = (): CliIO => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

export function say(io: CliIO, line: string): void {
  io.stdout.write(`${line}\n`);
}

export function complain(io: CliIO, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** Reads a password: hidden prompt on a terminal, else the first line of standard input. */
export async function readPassword(io: CliIO, prompt: string): Promise<string> {
  if (io.stdin.isTTY && io.stdin.setRawMode) {
    io.stderr.write(prompt);
    io.stdin.setRawMode(true);
    io.stdin.resume();
    try {
      return await new Promise<string>((resolve, reject) => {
        let buf = '';
        const onData = (chunk: Buffer) => {
          for (const ch of chunk.toString('utf8')) {
            if (ch === '\r' || ch === '\n') {
              io.stdin.off('data', onData);
              io.stderr.write('\n');
              return resolve(buf);
            }
            if (ch === '\u0003') {
              io.stdin.off('data', onData);
              return reject(new Error('cancelled'));
            }
            if (ch === '\u007f') buf = buf.slice(0, -1);
            else buf += ch;
          }
        };
        io.stdin.on('data', onData);
      });
    } finally {
      io.stdin.setRawMode(false);
      io.stdin.pause();
    }
  }
  let text = '';
  for await (const chunk of io.stdin) {
    text += chunk.toString();
    if (text.includes('\n') || text.length > 4096) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
