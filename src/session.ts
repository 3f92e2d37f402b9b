import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { CompileContext } from './compile/compile.js';
import { parseProject, type ParsedProject } from './parse/parse-project.js';
import { resolveTarget, type Target } from './config/profiles.js';
import { EtlxError, throwIfErrors, type Diagnostic } from './errors/diagnostic.js';
import type { EngineRegistry } from './engine/engine.js';
import { outputChecks } from './plan/output-checks.js';
import { parseVars } from './plan/vars.js';
import { notifySecretValues } from './report/notify.js';
import type { Faults } from './run/faults.js';
import { loadProjectFiles } from './project/load.js';
import { makeDirs } from './project/make-dirs.js';
import { profilesLooked } from './project/fingerprint.js';
import { profileSearchPath, readProfilesFiles, type ProfilesFile } from './project/profiles-file.js';
import { FileTemplateCache } from './project/template-cache.js';
import type { Reporter } from './report/events.js';
import { Secrets } from './util/redact.js';

/** Options shared by every command (the global flags). */
export interface GlobalOptions {
  readonly projectDir: string;
  readonly profilesDir?: string;
  readonly profile?: string;
  readonly target?: string;
  readonly vars?: string;
  readonly threads?: number;
  readonly select: readonly string[];
  readonly exclude: readonly string[];
  readonly state?: string;
  /** --defer (with --state): unselected, unbuilt refs read the state's warehouse. */
  readonly defer?: boolean;
  readonly fullRefresh: boolean;
  readonly failFast: boolean;
  readonly atomic?: boolean;
  /** --retries N: tries after a transient failure, for every node (else each node's `retries`). */
  readonly retries?: number;
  /** --wait-for-sources in ms: hold the readers of missing staging files this long. */
  readonly waitForSources?: number;
  /** --lock-timeout in ms: wait this long for a warehouse another process holds. */
  readonly lockTimeout?: number;
  readonly debug: boolean;
}

/** Things with side effects or variation that commands receive instead of reaching for globals. */
export interface Runtime {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
  readonly invocationId: string;
  readonly reporter: Reporter;
  readonly version: string;
  /** Open engine instances for this invocation (one per database file). */
  readonly engines: EngineRegistry;
  /** Fault injection points for tests (ETLX_FAULT), read from `env`. */
  readonly faults: Faults;
}

/** A loaded, parsed project with its target resolved. No warehouse is opened. */
export interface Session {
  readonly options: GlobalOptions;
  readonly runtime: Runtime;
  readonly project: ParsedProject;
  readonly target: Target;
  /**
   * Every value that must never be shown (the profile's `{{env}}` values), with its derived
   * forms: the sinks (reporters, log file, artifacts, history) redact with it.
   */
  readonly secrets: Secrets;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly targetDir: string;
  readonly ctx: CompileContext;
  readonly cache: FileTemplateCache;
  /** The profiles.yml files the target's resolution looked at, for the unchanged-project fingerprint. */
  readonly profilesLooked?: readonly (readonly [string, string | null])[];
}

export function openSession(options: GlobalOptions, runtime: Runtime): Session {
  const files = loadProjectFiles(options.projectDir);
  const cliVars = parseVars(options.vars);
  const targetDir = path.resolve(files.root, files.config.targetPath);
  ensureWritableDir(targetDir, files.config.targetPath);
  const cache = FileTemplateCache.forTarget(targetDir);
  const request = {
    projectDir: files.root,
    projectName: files.config.name,
    profileName: options.profile ?? files.config.profile,
    explicitProfile: options.profile !== undefined,
    ...(options.target !== undefined ? { targetName: options.target } : {}),
    ...(options.profilesDir !== undefined ? { profilesDir: options.profilesDir } : {}),
    env: runtime.env,
  };
  // The texts the resolution reads are noted for the fingerprint (the ones read, not read again).
  const read = new Map<string, string>();
  const resolved = resolveTarget(request, noting(readProfilesFiles(request), read));
  const target: Target = {
    ...resolved,
    threads: options.threads ?? resolved.threads,
    atomic: options.atomic ?? resolved.atomic,
  };
  const vars = { ...files.config.vars, ...cliVars };
  // After the target: templated values in properties files read {{target.*}} and {{var}}.
  const values = { target: { name: target.name, schema: target.schema, type: target.type, profile_name: target.profile, threads: target.threads }, vars, env: runtime.env };
  const project = parseProject(files, cache, values);
  reportWarnings(project.diagnostics, runtime.reporter);
  throwIfErrors(project.diagnostics);
  // Where the project writes is checked once the target is known: exit 2 before anything runs.
  throwIfErrors(outputChecks(project, target));
  // Values notify reads with {{env}} (webhook URLs, headers) are secrets from the start too.
  const secrets = Secrets.of([...target.secrets, ...notifySecretValues(files.config.notify, runtime.env)], { bases: [files.root] });
  const profiles = profilesLooked(profileSearchPath(request), read, resolved.origin);
  return { options, runtime, project, target, secrets, vars, targetDir, cache, ctx: { target, vars, env: runtime.env, ...(target.type === 'clickhouse' ? { inlineEphemerals: true } : {}) }, profilesLooked: profiles };
}

function* noting(files: Iterable<ProfilesFile>, read: Map<string, string>): Generator<ProfilesFile, void, undefined> {
  for (const f of files) {
    read.set(f.path, f.text);
    yield f;
  }
}

/** target/ must be a writable folder: checked before anything is compiled or run. */
function ensureWritableDir(dir: string, shown: string): void {
  try {
    makeDirs(dir);
    accessSync(dir, constants.W_OK);
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new EtlxError({
      code: 'E_TARGET_PATH',
      message: `cannot write to the target path ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      file: 'etlx.yml',
      hint: 'set target-path in etlx.yml to a folder etlx can create and write (default: target), or fix its permissions',
    });
  }
}

function reportWarnings(diagnostics: readonly Diagnostic[], reporter: Reporter): void {
  for (const d of diagnostics) if (d.severity === 'warn') reporter.emit({ type: 'diagnostic', diagnostic: d });
}

