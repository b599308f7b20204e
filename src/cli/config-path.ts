import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { type Args, flagString } from './args.js';
import type { CliIO } from './io.js';

/** --config FILE, else $PARLEY_CONFIG, else ./parley.toml when present, else built-in defaults. */
export function configPath(args: Args, io: CliIO): string | undefined {
  const p = flagString(args, 'config') ?? io.env.PARLEY_CONFIG;
  if (p) return p;
  return existsSync('parley.toml') ? 'parley.toml' : undefined;
}

export function cliConfig(args: Args, io: CliIO): Config {
  return loadConfig(configPath(args, io), io.env);
}
