import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/index.js';
import type { CliIO } from '../../src/cli/io.js';

/** Runs the `parley` command in-process with the given stdin and environment. */
export async function runCli(
  argv: string[],
  opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += c));
  err.on('data', (c) => (stderr += c));
  const io: CliIO = {
    stdout: out,
    stderr: err,
    stdin: Readable.from([opts.stdin ?? '']),
    env: {
      PARLEY_LOG_LEVEL: 'silent',
      PARLEY_IRC_PORT: '0',
      PARLEY_IRC_TLS_PORT: '0',
      PARLEY_XMPP_PORT: '0',
      PARLEY_XMPP_TLS_PORT: '0',
      ...opts.env,
    },
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
