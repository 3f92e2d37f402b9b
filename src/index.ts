/**
 * The public API of etlx: what the CLI (and any other client) calls. Each function is one stage
 * or one command; heavy modules (the engine, the runner) are loaded on use, so `etlx --version`
 * and `etlx ls` never load a database client.
 *
 * load ─▶ Session ─▶ select/plan ─▶ compile (render + parse check) ─▶ run (engine) ─▶ artifacts
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compiledPath, writeCompiledFiles } from './artifacts/compiled-files.js';
import { writeManifest } from './artifacts/manifest-file.js';
import { compileAndCheck } from './compile/check.js';
import type { CompiledProject } from './compile/compile.js';
import { compileUnchanged, forgetCompile, recordCompile, type UnchangedCompile } from './compile/unchanged.js';
import { recordEnvReads } from './util/env-reads.js';
import { EngineRegistry, type SqlChecker } from './engine/engine.js';
import { engineLibraryVersion, startSqlChecker } from './engine/open.js';
import { openSessionWarehouse } from './run/open-session-warehouse.js';
import { planRun, type Plan, type RunCommand } from './plan/execution.js';
import { engineRefusals } from './plan/engine-checks.js';
import { listResources, type LsOutput } from './plan/list.js';
import { retryArgs, type RetryPlan } from './plan/retry.js';
import { selectIds } from './plan/selection.js';
import { Faults } from './run/faults.js';
import { ownershipChecks } from './run/file-ownership.js';
export { startupFault } from './run/faults.js';
export { parseDuration, formatDuration, DURATION_HINT } from './util/duration.js';
import type { RunOutcome } from './run/run-command.js';
import type { StopSignal } from './run/stop-signal.js';
import { throwIfErrors } from './errors/diagnostic.js';
import { openSession, type GlobalOptions, type Runtime, type Session } from './session.js';

export { EtlxError, formatDiagnostic, type Diagnostic } from './errors/diagnostic.js';
export { redact, Secrets } from './util/redact.js';
export { shownWarehousePath } from './config/profiles.js';
export { ETLX_VERSION } from './version.js';
export { StopSignal } from './run/stop-signal.js';
export { createReporter, LogFileReporter, plural, redactingSink } from './report/reporters.js';
export type { Reporter, EtlxEvent } from './report/events.js';
export { initProject, initReport } from './project/init.js';
export { MAX_THREADS } from './config/schemas.js';
export { clean } from './project/clean.js';
export type { GlobalOptions, Runtime, Session, RunCommand, Plan, RunOutcome, RetryPlan, LsOutput, CompiledProject, SqlChecker, UnchangedCompile };
export { listResources, retryArgs, startSqlChecker };

/** What a Runtime needs besides the reporter: one per invocation. */
export function newRuntime(o: { env: Readonly<Record<string, string | undefined>>; invocationId: string; version: string; reporter: Runtime['reporter'] }): Runtime {
  // The names read are part of the unchanged-project fingerprint (compile/unchanged.ts).
  const env = recordEnvReads(o.env);
  return { ...o, env, now: () => new Date(), engines: new EngineRegistry(), faults: new Faults(env) };
}

/** Loads and parses the project and resolves its target. Throws EtlxError (exit 2) on problems. */
export function loadProject(options: GlobalOptions, runtime: Runtime): Session {
  return openSession(options, runtime);
}

/** The ids --select/--exclude pick (against the last run_results for result: selectors). */
export function select(s: Session): Set<string> {
  return selectIds(s);
}

/** The plan for seed/run/test/build: what runs, in what order. */
export function plan(s: Session, command: RunCommand): Plan {
  return planRun(s.project, command, selectIds(s));
}

export interface CompileResult {
  readonly compiled: CompiledProject;
  readonly models: number;
  readonly tests: number;
}

/** `etlx compile`: render, check, write target/compiled for the selection and the manifest. */
export async function compile(s: Session, checker: SqlChecker): Promise<CompileResult> {
  const ids = selectIds(s);
  // Like dbt's compile --defer: shows the SQL a deferred run would execute (reads, never writes).
  if (s.options.defer) s = await (await import('./run/defer.js')).withDeferral(s, ids);
  // The column types a run passes to the reader of an empty JSON output: compile shows the same SQL.
  const fileSchemas = await import('./run/file-schemas.js');
  s = await fileSchemas.withFileSchemas(s, { lockedIsWarning: true });
  forgetCompile(s.targetDir);
  const compiled = await compileAndCheck(s, checker, (c) => writeCompiledFiles(s.project, s.targetDir, c, ids, s.secrets));
  const manifest = saveManifest(s, compiled);
  const count = (type: string) => [...ids].filter((id) => s.project.nodes.get(id)?.resourceType === type).length;
  const result = { compiled, models: count('model'), tests: count('test') };
  const compiledFiles = [...ids].flatMap((id) => {
    const node = s.project.nodes.get(id);
    return node && compiled.nodes.get(id)?.display ? [path.relative(s.targetDir, compiledPath(s.targetDir, node))] : [];
  });
  // SQL that depends on what the warehouse recorded (empty JSON outputs' columns) is never reused.
  if (fileSchemas.emptyJsonOutputs(s).size === 0) recordCompile(s, { manifest, compiledFiles, models: result.models, tests: result.tests });
  return result;
}

/**
 * `etlx compile` of a project unchanged since the last full compile (one fingerprint of its
 * inputs): the manifest is reused with new invocation metadata. Undefined when a full compile is
 * needed; see compile/unchanged.ts.
 */
export function compileIfUnchanged(options: GlobalOptions, runtime: Runtime): UnchangedCompile | undefined {
  return compileUnchanged(options, runtime);
}

/** Render and check everything, writing no file (show). */
export function check(s: Session, checker: SqlChecker): Promise<CompiledProject> {
  return compileAndCheck(s, checker);
}

function saveManifest(s: Session, compiled: CompiledProject): { generatedAt: string; metadataAt: number | undefined } {
  const written = writeManifest(s.project, compiled, s.target, s.targetDir, s.runtime, s.secrets);
  s.cache.save();
  return written;
}

/**
 * seed / run / test / build: plan, compile and check everything first (exit 2 before any data
 * is touched), then take the warehouse lock and run the plan.
 */
export async function run(s: Session, command: RunCommand, stop: StopSignal, o: { checker: SqlChecker; extraArgs?: Record<string, unknown> }): Promise<RunOutcome> {
  const p = plan(s, command);
  if (p.ids.size === 0 && p.freshness.length === 0 && (s.options.select.length > 0 || s.options.exclude.length > 0)) {
    // Only state:/result: terms may match nothing (others are an error): nothing changed or
    // failed. The last run_results stays, for the next retry, and no hook runs.
    s.runtime.reporter.emit({ type: 'info', message: `Nothing to do: the selection matches no ${command === 'seed' ? 'seed' : command === 'test' ? 'test' : 'node'}; target/run_results.json is left as it was` });
    return { exitCode: 0, results: [] };
  }
  // What the target's engine cannot do (ClickHouse: unit tests, snapshots, files, merge, --atomic): exit 2 before anything runs.
  throwIfErrors(engineRefusals(s.project, s.target, p.ids));
  if (s.options.defer) s = await (await import('./run/defer.js')).withDeferral(s, p.ids);
  s = await (await import('./run/file-schemas.js')).withFileSchemas(s);
  // target/compiled is `etlx compile`'s: a run writes the manifest (every node's compiled SQL)
  // and target/run (what it executed).
  const compiled = await compileAndCheck(s, o.checker);
  saveManifest(s, compiled);
  // A file model's location must be empty or hold what etlx wrote: checked before anything is touched.
  throwIfErrors(ownershipChecks(s, p.ids));
  const engine = await openSessionWarehouse(s, { stop });
  try {
    const { executeRun } = await import('./run/run-command.js');
    return await executeRun(s, p, compiled, engine, stop, o.extraArgs ?? {});
  } finally {
    await engine.close();
  }
}

/** --lock-timeout: wait for a warehouse another process holds, saying so once. */

/** `etlx build`: seeds, models and tests in DAG order. */
export function build(s: Session, stop: StopSignal, o: { checker: SqlChecker }): Promise<RunOutcome> {
  return run(s, 'build', stop, o);
}

/** `etlx show`: the first rows of a model or seed, from an existing warehouse. */
export async function show(s: Session, name: string, limit: number, checker: SqlChecker): Promise<{ columns: readonly string[]; rows: readonly (readonly string[])[] }> {
  const { showable, previewRows } = await import('./run/show.js');
  const node = showable(s, name);
  s = await (await import('./run/file-schemas.js')).withFileSchemas(s);
  const compiled = await compileAndCheck(s, checker);
  const engine = await openSessionWarehouse(s, { mustExist: true });
  try {
    return await previewRows(s, node, compiled, engine, limit);
  } finally {
    await engine.close();
  }
}

/** `etlx debug`: the engine's version, then whether the warehouse opens and answers. */
export async function engineVersion(): Promise<string> {
  return engineLibraryVersion();
}

export async function checkConnection(s: Session): Promise<string> {
  const engine = await openSessionWarehouse(s);
  try {
    const c = await engine.connect();
    const rows = await c.query('select version() as v');
    c.close();
    return String(rows[0]?.v);
  } finally {
    await engine.close();
  }
}

/** `etlx history`: the last runs from etlx_meta, or per selected node with a trend of its rows. */
export async function history(s: Session, o: { last: number; output: 'text' | 'json' }): Promise<string[]> {
  const { historyLines } = await import('./run/history.js');
  return historyLines(s, o);
}

export type { DocsResult } from './docs/generate.js';

/**
 * `etlx docs generate`: catalog.json, the manifest with column lineage, and the docs site, from
 * the existing warehouse (opened, never written: a missing warehouse is an error, not created).
 */
export async function docsGenerate(s: Session, checker: SqlChecker): Promise<import('./docs/generate.js').DocsResult> {
  s = await (await import('./run/file-schemas.js')).withFileSchemas(s);
  const compiled = await compileAndCheck(s, checker);
  const engine = await openSessionWarehouse(s, { mustExist: true });
  try {
    const { generateDocs } = await import('./docs/generate.js');
    return await generateDocs(s, compiled, engine);
  } finally {
    await engine.close();
  }
}

/**
 * `etlx docs serve`: serves target/docs (generating it first when it is missing) until
 * `close()`. Only files inside target/docs are served.
 */
export async function docsServe(s: Session, checker: SqlChecker, o: { port: number; host: string }): Promise<{ url: string; generated: boolean; close(): Promise<void> }> {
  const site = path.join(s.targetDir, 'docs');
  const generated = !existsSync(path.join(site, 'index.html'));
  if (generated) await docsGenerate(s, checker);
  else checker.close();
  const { serveSite } = await import('./docs/serve.js');
  const server = await serveSite(site, o);
  return { url: server.url, generated, close: () => server.close() };
}

/** `etlx ls`. */
export function list(s: Session, output: LsOutput, resourceTypes: readonly string[]): string[] {
  return listResources(s, output, resourceTypes);
}
