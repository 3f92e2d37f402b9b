import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import jsYaml from 'js-yaml';
import type { CompileContext } from './compile/compile.js';
import { parseProject, type ParsedProject } from './compile/parse-project.js';
import { resolveTarget, type Target } from './config/profiles.js';
import { aliasExpansionProblem } from './config/yaml-file.js';
import { EtlxError, throwIfErrors, type Diagnostic } from './errors/diagnostic.js';
import { selectNodes, type SelectableNode } from './graph/selector.js';
import { loadProjectFiles } from './project/load.js';
import { makeDirs } from './project/make-dirs.js';
import { FileTemplateCache } from './project/template-cache.js';
import type { Reporter } from './report/events.js';
import { stableStringify } from './artifacts/json.js';
import { checksumEntry } from './project/files.js';

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
  readonly fullRefresh: boolean;
  readonly failFast: boolean;
  readonly atomic?: boolean;
  readonly debug: boolean;
}

/** Things with side effects or variation that commands receive instead of reaching for globals. */
export interface Runtime {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
  readonly invocationId: string;
  readonly reporter: Reporter;
  readonly version: string;
}

/** A loaded, parsed project with its target resolved. No warehouse is opened. */
export interface Session {
  readonly options: GlobalOptions;
  readonly runtime: Runtime;
  readonly project: ParsedProject;
  readonly target: Target;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly targetDir: string;
  readonly ctx: CompileContext;
  readonly cache: FileTemplateCache;
}

export function openSession(options: GlobalOptions, runtime: Runtime): Session {
  const files = loadProjectFiles(options.projectDir);
  const cliVars = parseVars(options.vars);
  const targetDir = path.resolve(files.root, files.config.targetPath);
  ensureWritableDir(targetDir, files.config.targetPath);
  const cache = FileTemplateCache.forTarget(targetDir);
  const project = parseProject(files, cache);
  reportWarnings(project.diagnostics, runtime.reporter);
  throwIfErrors(project.diagnostics);
  const resolved = resolveTarget({
    projectDir: files.root,
    projectName: files.config.name,
    profileName: options.profile ?? files.config.profile,
    explicitProfile: options.profile !== undefined,
    ...(options.target !== undefined ? { targetName: options.target } : {}),
    ...(options.profilesDir !== undefined ? { profilesDir: options.profilesDir } : {}),
    env: runtime.env,
  });
  const target: Target = {
    ...resolved,
    threads: options.threads ?? resolved.threads,
    atomic: options.atomic ?? resolved.atomic,
  };
  const vars = { ...files.config.vars, ...cliVars };
  return { options, runtime, project, target, vars, targetDir, cache, ctx: { target, vars, env: runtime.env } };
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

/** `--vars '<yaml>'`: a YAML (or JSON) mapping. */
export function parseVars(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let v: unknown;
  try {
    v = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  } catch (e) {
    throw new EtlxError({
      code: 'E_VARS',
      message: `--vars is not valid YAML: ${(e as Error).message.split('\n')[0]!.replace(/:\s*$/, '')}`,
      hint: `pass a mapping, e.g. --vars '{start_date: "2024-01-01", days: 7}'`,
    });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new EtlxError({
      code: 'E_VARS',
      message: `--vars must be a mapping of names to values, got ${Array.isArray(v) ? 'a list' : JSON.stringify(v)}`,
      hint: `pass a mapping, e.g. --vars '{start_date: "2024-01-01"}'`,
    });
  }
  const aliasBomb = aliasExpansionProblem(v, text, '--vars');
  if (aliasBomb) throw new EtlxError(aliasBomb);
  return v as Record<string, unknown>;
}

/** Nodes as the selector sees them. */
export function selectable(project: ParsedProject): Map<string, SelectableNode> {
  const out = new Map<string, SelectableNode>();
  for (const [id, n] of project.nodes) {
    out.set(id, {
      id,
      name: n.name,
      resourceType: n.resourceType,
      path: n.path,
      tags: n.tags,
      config: n.resourceType === 'source' ? { enabled: true } : (n.config as unknown as Record<string, unknown>),
      packageName: n.packageName,
      ...(n.resourceType === 'source' ? { sourceName: n.sourceName } : {}),
    });
  }
  return out;
}

export interface PreviousArtifacts {
  readonly manifest?: Record<string, unknown>;
  readonly runResults?: { results?: { unique_id: string; status: string }[]; args?: Record<string, unknown> };
}

/**
 * The ids picked by --select/--exclude, over all node kinds. Tests are picked directly, or
 * because every node they test was picked (dbt's "eager" indirect selection counts any parent;
 * etlx needs all, so a test never runs against an unbuilt relation it did not ask for).
 */
export function selectIds(s: Session, previous: PreviousArtifacts = {}): Set<string> {
  const nodes = selectable(s.project);
  const stateManifest = s.options.state ? readStateManifest(s.options.state, s.project.root) : undefined;
  const results = previous.runResults?.results;
  const ctx = {
    nodes,
    dag: s.project.dag,
    ...(stateManifest ? { isModified: modifiedChecker(s, stateManifest) } : {}),
    ...(results ? { resultStatus: resultLookup(results) } : {}),
  };
  const picked = new Set(selectNodes({ select: s.options.select, exclude: s.options.exclude }, ctx));
  if (s.options.select.length === 0) return picked;
  const excluded = s.options.exclude.length > 0 ? new Set(selectNodes({ select: s.options.exclude, exclude: [] }, ctx)) : new Set<string>();
  for (const t of s.project.tests.values()) {
    if (picked.has(t.id) || excluded.has(t.id) || !s.project.nodes.has(t.id)) continue;
    const parents = s.project.dag.parents(t.id).filter((p) => s.project.nodes.get(p)?.resourceType !== 'source');
    // A generic test needs its own node picked (it may be a source); a singular one, some parent.
    const anchored = t.attachedTo ? picked.has(t.attachedTo) : parents.length > 0;
    if (anchored && parents.every((p) => picked.has(p))) picked.add(t.id);
  }
  return picked;
}

/** Status by id in the last run_results (one map, not a scan per lookup). */
function resultLookup(results: readonly { unique_id: string; status: string }[]): (id: string) => string | undefined {
  const byId = new Map(results.map((r) => [r.unique_id, r.status]));
  return (id) => byId.get(id);
}

function readStateManifest(dir: string, root: string): Record<string, unknown> {
  const file = path.join(path.resolve(root, dir), 'manifest.json');
  if (!existsSync(file)) {
    throw new EtlxError({
      code: 'E_STATE',
      message: `--state ${dir}: no manifest.json there`,
      hint: 'point --state at a folder holding the manifest.json of the run to compare with (e.g. a copy of target/ from main)',
    });
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new EtlxError({ code: 'E_STATE', message: `--state ${dir}: manifest.json is not valid JSON (${(e as Error).message})`, hint: 'regenerate it with etlx compile' });
  }
}

/**
 * state:modified: a node is modified when its file, its resolved config, a macro it uses, a var
 * it reads or (for tests) its arguments changed against the --state manifest.
 */
function modifiedChecker(s: Session, manifest: Record<string, unknown>): (id: string) => 'new' | 'modified' | 'unchanged' {
  const oldNodes = { ...((manifest.nodes as Record<string, Record<string, unknown>>) ?? {}), ...((manifest.sources as Record<string, Record<string, unknown>>) ?? {}) };
  const oldMacros = (manifest.macros as Record<string, { checksum?: { checksum?: string } }>) ?? {};
  return (id) => {
    const old = oldNodes[id];
    if (!old) return 'new';
    const n = s.project.nodes.get(id)!;
    const same = (a: unknown, b: unknown) => stableStringify(a) === stableStringify(b);
    if (n.resourceType === 'source') {
      return same(
        { location: n.location, options: n.options, schema: n.kind === 'table' ? n.schema : undefined, identifier: n.identifier, freshness: n.freshness },
        { location: old.location, options: old.options, schema: old.schema, identifier: old.identifier, freshness: old.freshness },
      )
        ? 'unchanged'
        : 'modified';
    }
    if (!same(checksumEntry(n.checksum), old.checksum)) return 'modified';
    if (!same(n.config, old.config)) return 'modified';
    if (n.resourceType === 'test' && n.testType === 'generic' && !same({ name: n.kind, kwargs: n.args }, old.test_metadata)) return 'modified';
    if (n.resourceType === 'model') {
      for (const m of n.macros) if (s.project.macros.get(m)?.checksum !== oldMacros[m]?.checksum?.checksum) return 'modified';
      const oldVars = (old.vars_read as Record<string, unknown>) ?? {};
      for (const [name, value] of Object.entries(oldVars)) {
        const now = Object.prototype.hasOwnProperty.call(s.vars, name) ? s.vars[name] : value;
        if (!same(now, value)) return 'modified';
      }
    }
    return 'unchanged';
  };
}
