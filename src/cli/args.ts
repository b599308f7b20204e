/** A small argv parser: positionals plus --flag VALUE / --flag=VALUE / --switch. */
export interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], switches: readonly string[] = []): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) flags.set(name, a.slice(eq + 1));
      else if (switches.includes(name) || i + 1 >= argv.length || argv[i + 1]!.startsWith('--'))
        flags.set(name, true);
      else flags.set(name, argv[++i]!);
    } else if (a === '-h') flags.set('help', true);
    else positional.push(a);
  }
  return { positional, flags };
}

export class UsageError extends Error {}

export function flagString(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function flagInt(args: Args, name: string, min: number, max: number): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return Number(v);
}

/** "90s", "15m", "12h", "7d" or plain seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(s.trim());
  if (!m) throw new UsageError(`"${s}" is not a duration (examples: 90s, 15m, 12h, 7d)`);
  const n = Number(m[1]);
  return (
    n * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const)[m[2] as '' | 's' | 'm' | 'h' | 'd']
  );
}
