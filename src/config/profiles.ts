import path from 'node:path';
import { EtlxError } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import { profileSearchPath, readProfilesFiles, type ProfilesFile } from '../project/profiles-file.js';
import { parseTemplate } from '../template/parse.js';
import { render, RenderError } from '../template/render.js';
import { profileSchema, targetSchema, type RawTarget } from './schemas.js';
import { clickhouseTargetOf, clickhouseTargetSchema, shownClickHouseUrl, writtenClickHouseTargetSchema, type ClickHouseTarget } from './clickhouse-target.js';
import { validateYaml } from './validate.js';
import { parseYamlFile } from './yaml-file.js';
import { REDACTED, Secrets } from '../util/redact.js';

/** The connection etlx runs against, after `{{env}}` values are filled in. */
export interface Target {
  readonly profile: string;
  readonly name: string;
  readonly type: 'duckdb' | 'clickhouse';
  /** Absolute path of the database file, or ':memory:'; a ClickHouse target's server URL. */
  readonly path: string;
  /** `type: clickhouse`: the server or cluster. */
  readonly clickhouse?: ClickHouseTarget;
  readonly schema: string;
  readonly threads: number;
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  readonly attach: readonly { path: string; alias?: string; read_only?: boolean; type?: string }[];
  /** Bundled DuckDB extensions to LOAD (parquet, json, icu). */
  readonly extensions: readonly string[];
  readonly atomic: boolean;
  /** Where it came from: a profiles.yml path, or 'embedded default'. */
  readonly origin: string;
  /**
   * Text values read with {{env}}: never printed, logged or written into artifacts (the
   * Session's `secrets` expands them into every derived form). A value that becomes a number
   * or a boolean (threads, atomic, read_only) is a setting, not a secret.
   */
  readonly secrets: readonly string[];
}

export interface ProfileRequest {
  readonly projectDir: string;
  readonly projectName: string;
  readonly profileName: string;
  /** --profile given explicitly: a missing profile is then an error. */
  readonly explicitProfile: boolean;
  readonly targetName?: string;
  readonly profilesDir?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Resolves the target from the first profiles.yml that defines the profile. Without one, and with
 * no explicit --profile/--target, the embedded default is `<project>.duckdb` in the project folder.
 * `files` are the profiles.yml files in search order, found and read by project/ unless given:
 * with them given, resolving touches no disk.
 */
export function resolveTarget(req: ProfileRequest, files: Iterable<ProfilesFile> = readProfilesFiles(req)): Target {
  for (const file of files) {
    const found = targetFromProfiles(file, req);
    if (found) return found;
  }
  if (req.explicitProfile || req.targetName) {
    throw new EtlxError({
      code: 'E_PROFILE_NOT_FOUND',
      message: `profile "${req.profileName}" not found`,
      hint: `define it in profiles.yml (searched: ${profileSearchPath(req).join(', ')}); profiles.example.yml shows the shape`,
    });
  }
  return {
    profile: req.profileName,
    name: 'default',
    type: 'duckdb',
    path: path.join(req.projectDir, `${req.projectName}.duckdb`),
    schema: 'main',
    threads: 4,
    settings: {},
    attach: [],
    extensions: [],
    atomic: false,
    origin: 'embedded default',
    secrets: [],
  };
}

function targetFromProfiles(file: ProfilesFile, req: ProfileRequest): Target | undefined {
  const relative = path.relative(req.projectDir, file.path);
  const shown = relative.startsWith('..') ? file.path : relative || file.path;
  const parsed = parseYamlFile(file.text, shown);
  if (!parsed.yaml) throw new EtlxError(parsed.diagnostics);
  const yaml = parsed.yaml;
  const data = (yaml.data ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new EtlxError({ code: 'E_CONFIG_TYPE', message: `${shown} must be a mapping of profile names`, file: shown, line: 1, hint: 'see profiles.example.yml' });
  }
  const raw = data[req.profileName];
  if (raw === undefined) {
    if (req.explicitProfile) {
      const guess = closest(req.profileName, Object.keys(data).filter((k) => k !== 'config'));
      throw new EtlxError({
        code: 'E_PROFILE_NOT_FOUND',
        message: `profile "${req.profileName}" not found in ${shown}${guess ? `; did you mean "${guess}"?` : ''}`,
        file: shown,
        hint: `profiles defined there: ${Object.keys(data).join(', ') || 'none'}`,
      });
    }
    return undefined;
  }
  // ClickHouse outputs have their own keys: checked on their own, so a DuckDB target's errors stay as they were.
  const { duckdb, clickhouse } = splitOutputs(raw);
  const { value, diagnostics } = validateYaml(profileSchema, yaml, duckdb, [req.profileName], `profile "${req.profileName}"`);
  for (const [name, out] of Object.entries(clickhouse)) {
    diagnostics.push(...validateYaml(writtenClickHouseTargetSchema, yaml, out, [req.profileName, 'outputs', name], `target "${name}"`).diagnostics);
  }
  if (!value || diagnostics.length > 0) throw new EtlxError(diagnostics);
  const outputs: Record<string, unknown> = { ...value.outputs, ...clickhouse };
  const targetName = req.targetName ?? value.target ?? 'dev';
  const output = outputs[targetName];
  if (!output) {
    const guess = closest(targetName, Object.keys(outputs));
    const loc = yaml.locate([req.profileName, 'outputs'], true);
    throw new EtlxError({
      code: 'E_TARGET_NOT_FOUND',
      message: `target "${targetName}" not found in profile "${req.profileName}"${guess ? `; did you mean "${guess}"?` : ''}`,
      file: shown,
      line: loc?.line,
      column: loc?.column,
      hint: `targets defined: ${Object.keys(outputs).join(', ')}; pick one with --target`,
    });
  }
  const secrets: string[] = [];
  const outputPath = [req.profileName, 'outputs', targetName];
  const renderedRaw = renderEnvValues(output, req.env, secrets, (msg, p) => {
    const loc = yaml.locate([...outputPath, ...p]);
    throw new EtlxError({ code: 'E_PROFILE_ENV', message: msg, file: shown, line: loc?.line, column: loc?.column, hint: 'set the environment variable, or give a default: {{env "NAME" "default"}}' });
  });
  if (clickhouse[targetName] !== undefined) return clickhouseTarget(renderedRaw, { yaml, shown, outputPath, targetName, secrets, req, origin: file.path });
  // Check the values again once rendered: `threads: '{{env "T"}}'` must still give a number.
  const checked = validateYaml(targetSchema, yaml, renderedRaw, outputPath, `target "${targetName}"`);
  if (!checked.value) {
    // Thrown before the session (and its secrets) exists, so redacted here.
    throw new EtlxError(Secrets.of(secrets, { bases: [req.projectDir] }).redactValue(checked.diagnostics));
  }
  const rendered: RawTarget = checked.value;
  const dbPath = rendered.path ?? `${req.projectName}.duckdb`;
  return {
    profile: req.profileName,
    name: targetName,
    type: 'duckdb',
    path: dbPath === ':memory:' ? dbPath : path.resolve(req.projectDir, dbPath),
    schema: rendered.schema ?? 'main',
    threads: rendered.threads ?? 4,
    settings: rendered.settings ?? {},
    attach: (rendered.attach ?? []).map((a) => ({ ...a, path: a.path === ':memory:' ? a.path : path.resolve(req.projectDir, a.path) })),
    extensions: rendered.extensions ?? [],
    atomic: rendered.atomic ?? false,
    origin: file.path,
    secrets: secrets.filter((s) => s.length > 0),
  };
}

function splitOutputs(raw: unknown): { duckdb: unknown; clickhouse: Record<string, unknown> } {
  const outputs = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).outputs : undefined;
  if (!outputs || typeof outputs !== 'object' || Array.isArray(outputs)) return { duckdb: raw, clickhouse: {} };
  const entries = Object.entries(outputs as Record<string, unknown>);
  const isClickHouse = (v: unknown) => !!v && typeof v === 'object' && (v as Record<string, unknown>).type === 'clickhouse';
  if (!entries.some(([, v]) => isClickHouse(v))) return { duckdb: raw, clickhouse: {} };
  return {
    duckdb: { ...(raw as Record<string, unknown>), outputs: Object.fromEntries(entries.filter(([, v]) => !isClickHouse(v))) },
    clickhouse: Object.fromEntries(entries.filter(([, v]) => isClickHouse(v))),
  };
}

/** A `type: clickhouse` output, rendered, checked again and resolved (defaults, cluster needs shards). */
function clickhouseTarget(
  rendered: unknown,
  o: { yaml: Parameters<typeof validateYaml>[1]; shown: string; outputPath: string[]; targetName: string; secrets: string[]; req: ProfileRequest; origin: string },
): Target {
  const redactor = Secrets.of(o.secrets, { bases: [o.req.projectDir] });
  const checked = validateYaml(clickhouseTargetSchema, o.yaml, rendered, o.outputPath, `target "${o.targetName}"`);
  if (!checked.value) throw new EtlxError(redactor.redactValue(checked.diagnostics));
  const { value, problem } = clickhouseTargetOf(checked.value);
  if (!value) {
    const loc = o.yaml.locate([...o.outputPath, problem!.key], true);
    throw new EtlxError({ code: 'E_CONFIG_TYPE', message: `target "${o.targetName}": ${problem!.message}`, file: o.shown, line: loc?.line, column: loc?.column, hint: problem!.hint });
  }
  return {
    profile: o.req.profileName,
    name: o.targetName,
    type: 'clickhouse',
    path: shownClickHouseUrl(value.url),
    clickhouse: value,
    schema: value.database,
    threads: checked.value.threads ?? 4,
    settings: value.settings,
    attach: [],
    extensions: [],
    atomic: false,
    origin: o.origin,
    secrets: o.secrets.filter((s) => s.length > 0),
  };
}

/** The database file a DuckDB target writes to; undefined in memory and for server engines. */
export function warehouseFile(target: Pick<Target, 'type' | 'path'>): string | undefined {
  return target.type === 'duckdb' && target.path !== ':memory:' ? target.path : undefined;
}

/** Renders `{{env ...}}` in every string of a profile output, remembering each value read. */
function renderEnvValues(
  v: unknown,
  env: Readonly<Record<string, string | undefined>>,
  secrets: string[],
  fail: (message: string, path: (string | number)[]) => never,
  at: (string | number)[] = [],
): unknown {
  if (typeof v === 'string') {
    if (!v.includes('{{')) return v;
    const ir = parseTemplate(v);
    const read: string[] = [];
    if (ir.problems.length > 0) fail(`invalid template in profile value: ${ir.problems[0]!.message}`, at);
    try {
      const out = render(ir, {}, {
        partials: new Map(),
        helpers: {
          env: (args) => {
            const name = String(args[0]);
            const fromEnv = env[name];
            const value = fromEnv ?? (args.length > 1 ? String(args[1]) : undefined);
            if (value === undefined) throw new RenderError(`environment variable ${name} is not set`, '', 0, 0);
            // Only a value read from the environment is a secret; a default is in profiles.yml for all to see.
            if (fromEnv !== undefined) read.push(value);
            return value;
          },
        },
      }).text;
      // A number or boolean in a profile may come from an env var: give it its type back. It is
      // then a setting, not a secret (hiding "true" or "8" would blank out ordinary output).
      const key = at[at.length - 1];
      if (key === 'threads' && /^\s*\d+\s*$/.test(out)) return Number(out);
      if ((key === 'atomic' || key === 'read_only') && /^(true|false)$/i.test(out.trim())) return out.trim().toLowerCase() === 'true';
      secrets.push(...read);
      return out;
    } catch (e) {
      if (e instanceof RenderError) fail(`profile value: ${e.message}`, at);
      throw e;
    }
  }
  if (Array.isArray(v)) return v.map((x, i) => renderEnvValues(x, env, secrets, fail, [...at, i]));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderEnvValues(x, env, secrets, fail, [...at, k])]));
  }
  return v;
}

/**
 * The warehouse path as shown to people: relative to the project, or a placeholder when it was
 * read with {{env}} (a relative form of a secret path still gives the secret away).
 */
export function shownWarehousePath(target: Pick<Target, 'path' | 'secrets'> & { readonly type?: Target['type'] }, projectRoot: string): string {
  if (target.path === ':memory:') return ':memory:';
  if (target.type === 'clickhouse') return Secrets.of(target.secrets).reveals(target.path) ? `${REDACTED} (server URL from the environment)` : target.path;
  const shown = path.relative(projectRoot, target.path) || target.path;
  // Any derived form counts: `./vault/w.duckdb` read with {{env}} is resolved, then shown as `vault/w.duckdb`.
  const secrets = Secrets.of(target.secrets, { bases: [projectRoot] });
  if (secrets.reveals(target.path) || secrets.reveals(shown)) return `${REDACTED} (path from the environment)`;
  return shown;
}
