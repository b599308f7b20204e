import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { MOVED_KEYS, SCHEMA, type Config, type FieldSpec } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, unknown>;

function describe(spec: FieldSpec): string {
  switch (spec.type) {
    case 'int':
      return `a whole number from ${spec.min} to ${spec.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.map((v) => `"${v}"`).join(', ')}`;
    case 'strings':
      return `a list of ${spec.patternText ?? 'strings'}`;
    case 'string':
      return spec.patternText ? `a string: ${spec.patternText}` : 'a string';
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function checkValue(key: string, spec: FieldSpec, v: unknown, problems: string[]): unknown {
  const bad = () => {
    problems.push(`${key}: got ${show(v)}, expected ${describe(spec)}`);
    return undefined;
  };
  switch (spec.type) {
    case 'int':
      if (typeof v === 'bigint') v = Number(v);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || v > spec.max)
        return bad();
      return v;
    case 'bool':
      return typeof v === 'boolean' ? v : bad();
    case 'enum':
      return typeof v === 'string' && spec.values.includes(v) ? v : bad();
    case 'string':
      if (typeof v !== 'string') return bad();
      if (spec.maxLength !== undefined && v.length > spec.maxLength) return bad();
      if (spec.pattern && !spec.pattern.test(v)) return bad();
      return v;
    case 'strings':
      if (
        !Array.isArray(v) ||
        !v.every(
          (x) =>
            typeof x === 'string' &&
            (!spec.pattern || spec.pattern.test(x)) &&
            (!spec.check || spec.check(x)),
        )
      )
        return bad();
      return [...v];
  }
}

/** Turns an environment string into the field's type, or records a problem. */
function fromEnv(name: string, spec: FieldSpec, s: string, problems: string[]): unknown {
  switch (spec.type) {
    case 'int':
      if (!/^-?\d+$/.test(s.trim())) {
        problems.push(`${name}: got ${show(s)}, expected ${describe(spec)}`);
        return undefined;
      }
      return Number(s.trim());
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(s)) return true;
      if (/^(false|0|no|off)$/i.test(s)) return false;
      problems.push(`${name}: got ${show(s)}, expected ${describe(spec)}`);
      return undefined;
    case 'strings':
      return s === '' ? [] : s.split(',').map((x) => x.trim());
    default:
      return s;
  }
}

const ENV_IGNORED = new Set(['CONFIG', 'TEST']);

const warningsOf = new WeakMap<Config, readonly string[]>();

/**
 * What the configuration works with but should change (keys that moved), in
 * plain words: the server logs each at start and `parley doctor` shows them.
 */
export function configWarnings(config: Config): readonly string[] {
  return warningsOf.get(config) ?? [];
}

function specOf(section: string, key: string): FieldSpec | undefined {
  return (SCHEMA as Record<string, Record<string, FieldSpec>>)[section]?.[key];
}

/**
 * A sub-table (`[files.s3]` with `endpoint = ...`) names the section's keys with
 * that prefix (`files.s3_endpoint`, PARLEY_FILES_S3_ENDPOINT in the environment).
 */
function flattenSubTables(section: string, table: Raw, problems: string[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(table)) {
    const isTable =
      typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
    if (!isTable || specOf(section, k)) {
      out.push([k, v]);
      continue;
    }
    const prefix = `${k}_`;
    const known = Object.keys(SCHEMA[section as keyof typeof SCHEMA] ?? {})
      .filter((f) => f.startsWith(prefix))
      .map((f) => f.slice(prefix.length));
    if (known.length === 0) {
      out.push([k, v]);
      continue;
    }
    for (const [sk, sv] of Object.entries(v as Raw)) {
      if (known.includes(sk)) out.push([`${prefix}${sk}`, sv]);
      else
        problems.push(
          `unknown key ${section}.${k}.${sk} (known keys in [${section}.${k}]: ${known.join(', ')})`,
        );
    }
  }
  return out;
}

/**
 * Builds the configuration from defaults, then the file, then PARLEY_* variables
 * (PARLEY_<SECTION>_<KEY>, e.g. PARLEY_DATABASE_URL, PARLEY_NATIVE_MAX_FRAME_BYTES).
 * A key that moved (`MOVED_KEYS`) is still read under its old name when the new one is not set.
 * Every problem is collected so the operator sees all of them at once.
 */
export function buildConfig(fileValues: Raw, env: NodeJS.ProcessEnv = {}): Config {
  const problems: string[] = [];
  const out: Record<string, Record<string, unknown>> = {};
  // Keys given explicitly (file or environment), and values found under a moved key's old name.
  const given = new Set<string>();
  const moved = new Map<string, { value: unknown; from: string }>();
  const put = (section: string, key: string, value: unknown, from: string) => {
    const to = MOVED_KEYS[`${section}.${key}`];
    if (to) moved.set(to, { value, from });
    else {
      out[section]![key] = value;
      given.add(`${section}.${key}`);
    }
  };
  const fieldSpec = (section: string, key: string): FieldSpec | undefined => {
    const to = MOVED_KEYS[`${section}.${key}`];
    return to ? specOf(...(to.split('.') as [string, string])) : specOf(section, key);
  };

  for (const [section, fields] of Object.entries(SCHEMA)) {
    out[section] = {};
    for (const [k, spec] of Object.entries(fields as Record<string, FieldSpec>)) {
      out[section][k] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    }
  }

  for (const [section, value] of Object.entries(fileValues)) {
    const fields = (SCHEMA as Record<string, Record<string, FieldSpec>>)[section];
    if (!fields) {
      problems.push(
        `unknown section [${section}] (known sections: ${Object.keys(SCHEMA).join(', ')})`,
      );
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${section}: must be a table ([${section}])`);
      continue;
    }
    for (const [k, v] of flattenSubTables(section, value as Raw, problems)) {
      const spec = fieldSpec(section, k);
      if (!spec) {
        problems.push(
          `unknown key ${section}.${k} (known keys in [${section}]: ${Object.keys(fields).join(', ')})`,
        );
        continue;
      }
      const checked = checkValue(`${section}.${k}`, spec, v, problems);
      if (checked !== undefined) put(section, k, checked, `${section}.${k}`);
    }
  }

  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('PARLEY_') || raw === undefined) continue;
    const rest = name.slice('PARLEY_'.length);
    const cut = rest.indexOf('_');
    const sectionName = (cut < 0 ? rest : rest.slice(0, cut)).toLowerCase();
    if (ENV_IGNORED.has(sectionName.toUpperCase())) continue;
    const fields = (SCHEMA as Record<string, Record<string, FieldSpec>>)[sectionName];
    const key = cut < 0 ? '' : rest.slice(cut + 1).toLowerCase();
    const spec = fieldSpec(sectionName, key);
    if (!fields || !spec) {
      problems.push(
        `unknown environment variable ${name} (expected PARLEY_<SECTION>_<KEY> naming a key of parley.example.toml)`,
      );
      continue;
    }
    const typed = fromEnv(name, spec, raw, problems);
    if (typed === undefined) continue;
    const checked = checkValue(name, spec, typed, problems);
    if (checked !== undefined) put(sectionName, key, checked, name);
  }

  const warnings: string[] = [];
  for (const [to, { value, from }] of moved) {
    if (given.has(to)) {
      warnings.push(`${from} is deprecated and ignored because ${to} is set; remove it`);
      continue;
    }
    const [section, key] = to.split('.') as [string, string];
    out[section]![key] = value;
    warnings.push(`${from} is deprecated; it still works for now: use ${to} instead`);
  }

  const presence = out.presence as
    { node_heartbeat_seconds: number; node_timeout_seconds: number } | undefined;
  if (presence && presence.node_timeout_seconds < 2 * presence.node_heartbeat_seconds)
    problems.push(
      `presence.node_timeout_seconds (${presence.node_timeout_seconds}) must be at least twice presence.node_heartbeat_seconds (${presence.node_heartbeat_seconds}), or healthy nodes would sweep each other`,
    );
  const files = out.files as { s3_bucket: string; s3_access_key: string; s3_secret_key: string };
  if (files?.s3_bucket && (!files.s3_access_key || !files.s3_secret_key))
    problems.push(
      `files.s3.bucket is set ("${files.s3_bucket}"): files.s3.access_key and files.s3.secret_key are needed too`,
    );
  if (problems.length) throw new ConfigError(problems);
  const config = out as Config;
  if (warnings.length) warningsOf.set(config, warnings);
  return config;
}

export function defaultConfig(): Config {
  return buildConfig({});
}

/** Reads and validates a TOML file (if given) plus the environment. */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  let fileValues: Raw = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError([
        `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      ]);
    }
    try {
      fileValues = parseToml(text) as Raw;
    } catch (err) {
      throw new ConfigError([
        `${path} is not valid TOML: ${(err as Error).message.split('\n')[0]}`,
      ]);
    }
  }
  return buildConfig(fileValues, env);
}
