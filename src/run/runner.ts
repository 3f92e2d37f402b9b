import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { historyInserts, HISTORY_DDL } from '../artifacts/history.js';
import { writeRunResults, type NodeResult, type NodeStatus, type RunSummary } from '../artifacts/run-results.js';
import { readPreviousRunResults } from '../artifacts/run-results-reader.js';
import { compileProject, relationOf, renderProjectHooks, trimSql, type CompiledProject } from '../compile/compile.js';
import { sourcePosition } from '../template/render.js';
import type { ParsedProject } from '../parse/parse-project.js';
import type { ModelNode, Node, SeedNode, SourceNode, TestNode } from '../parse/nodes.js';
import { modelTarget, seedTarget } from '../compile/relations.js';
import { quoteIdent, quoteLiteral } from '../compile/sql.js';
import { failureCountSql, rowCountSql } from '../compile/test-sql.js';
import { redact, shownWarehousePath } from '../config/profiles.js';
import { THRESHOLD } from '../config/schemas.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { Connection, Engine } from '../engine/engine.js';
import { targetSetupSql } from '../engine/setup.js';
import { openDuckDB } from '../engine/duckdb.js';
import { Dag } from '../graph/dag.js';
import { formatTable } from '../report/reporters.js';
import type { Session } from '../session.js';
import { selectIds } from '../session.js';
import { compileAndCheck, relativize } from '../commands/compile.js';
import { BackgroundWriter } from '../artifacts/background-writer.js';
import type { SqlChecker } from '../engine/sql-check.js';
import { emptyDatasetSql, filePlan, stagingPath } from '../materialize/file.js';
import { applyNewRows, columnsSql, dropStaging, duplicateKeySql, planSchemaChange, stageNewRows, stagingName, type Column } from '../materialize/incremental.js';
import { seedDiagnosisSql, seedPlan } from '../materialize/seed.js';
import { tablePlan } from '../materialize/table.js';
import type { ExistingRelation, Statement, StatementPlan } from '../materialize/types.js';
import { viewPlan } from '../materialize/view.js';
import { executeDag } from './executor.js';
import { commitOutput, recoverOutput } from './file-moves.js';
import { faultDuring, faultPoint } from './faults.js';
import { viewChainWarnings } from './view-chains.js';
import { checkFreshness } from './freshness.js';

export type RunCommand = 'run' | 'build' | 'seed' | 'test';

/** Lets a signal handler stop a run: nothing new starts, running queries are interrupted. */
export class StopSignal {
  requested = false;
  private readonly active = new Set<Connection>();
  track(c: Connection): void {
    this.active.add(c);
  }
  untrack(c: Connection): void {
    this.active.delete(c);
  }
  stop(): void {
    this.requested = true;
    for (const c of this.active) c.interrupt();
  }
}

export interface RunOutcome {
  readonly exitCode: number;
  readonly results: readonly NodeResult[];
}

const KINDS: Record<RunCommand, readonly string[]> = {
  run: ['model'],
  seed: ['seed'],
  test: ['test'],
  build: ['seed', 'model', 'test'],
};

/** Thrown inside a node's work: becomes that node's error message. */
class NodeFailure extends Error {}

/** A statement DuckDB rejected, with its text (to place the error in the model file). */
class StatementFailure extends Error {
  constructor(
    cause: unknown,
    readonly statement: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * seed / run / test / build. Compiles and checks everything first (exit 2 before any data is
 * touched), then takes the warehouse lock and runs the selected nodes in DAG order.
 */
export async function runCommand(
  s: Session,
  command: RunCommand,
  stop: StopSignal,
  extraArgs: Record<string, unknown> = {},
  checker?: SqlChecker,
): Promise<RunOutcome> {
  const started = s.runtime.now();
  const reporter = s.runtime.reporter;
  const selected = selectIds(s, { runResults: readPreviousRunResults(s.targetDir) });
  // target/compiled is `etlx compile`'s: a run writes the manifest (every node's compiled SQL)
  // and target/run (what it executed). One file per node costs about 0.25 ms to create here.
  const compiled = await compileAndCheck(s, { manifest: true, ...(checker ? { checker } : {}) });
  const writer = new BackgroundWriter();
  const ids = new Set(
    [...selected].filter((id) => {
      const n = s.project.nodes.get(id)!;
      if (!KINDS[command].includes(n.resourceType)) return false;
      return !(n.resourceType === 'model' && n.mat.kind === 'ephemeral');
    }),
  );
  // Freshness of selected sources is checked by test and build.
  const freshnessSources =
    command === 'test' || command === 'build'
      ? [...selected].map((id) => s.project.nodes.get(id)!).filter((n): n is SourceNode => n.resourceType === 'source' && n.freshness !== undefined)
      : [];

  const shownDb = shownWarehousePath(s.target, s.project.root);
  const engine = await openDuckDB(s.target.path, { settings: s.target.settings, shownPath: shownDb, setup: targetSetupSql(s.target) });
  const results = new Map<string, NodeResult>();
  let exitCode = 0;
  try {
    reporter.emit({ type: 'run_start', command, total: ids.size + freshnessSources.length, target: s.target.name, warehouse: shownDb });
    const setup = await engine.connect();
    const atomic = s.target.atomic;
    const state = await prepareWarehouse(s, setup, ids);
    const r = new NodeRunner(s, compiled, engine, state, stop, atomic);
    for (const note of r.recoverFiles(ids)) reporter.emit({ type: 'info', message: note });
    for (const w of viewChainWarnings(s.project, ids)) reporter.emit({ type: 'warn', message: w.message, hint: w.hint, file: w.file });
    if (atomic) {
      await setup.execute('begin transaction');
      r.useSingleConnection(setup);
    }
    const startError = await runHooks(setup, renderProjectHooks(s.project, s.ctx, s.project.files.config.onRunStart), 'on-run-start');
    if (startError) reporter.emit({ type: 'diagnostic', diagnostic: startError });
    const total = ids.size + freshnessSources.length;
    const dag = executionDag(s, ids, command);
    let index = 0;
    if (startError) {
      // Nothing runs after a failed on-run-start hook; every node is recorded as skipped, so
      // etlx retry runs them all again.
      r.setCounter(0, total);
      for (const id of [...freshnessSources.map((x) => x.id), ...dag.topoOrder().filter((id) => ids.has(id))]) {
        results.set(id, r.skipped(id, undefined, 'skipped: the on-run-start hook failed'));
      }
    } else {
      for (const src of freshnessSources) {
        const res = await checkFreshness(s, setup, src, ++index, total);
        results.set(src.id, res);
      }
      r.setCounter(index, total);
      await executeDag({
        dag,
        ids,
        concurrency: atomic ? 1 : s.target.threads,
        // Under --atomic the first failure dooms the run (and aborts its transaction): start nothing new.
        failFast: s.options.failFast || atomic,
        stopped: () => stop.requested,
        run: async (id, slot) => {
          const res = await r.runNode(id, slot);
          results.set(id, res);
          writeRunSql(s, writer, id, r.statementsOf(id));
          return res.status === 'error' || res.status === 'fail' ? 'failed' : 'ok';
        },
        skip: (id, cause) => {
          const res = r.skipped(id, cause);
          results.set(id, res);
        },
      });
    }
    const nodeFailed = [...results.values()].some((x) => x.status === 'error' || x.status === 'fail');
    const endError = !startError && !nodeFailed && !stop.requested ? await runHooks(setup, renderProjectHooks(s.project, s.ctx, s.project.files.config.onRunEnd), 'on-run-end') : undefined;
    if (endError) reporter.emit({ type: 'diagnostic', diagnostic: endError });
    const failed = nodeFailed || startError !== undefined || endError !== undefined;
    if (atomic) {
      if (failed || stop.requested) {
        await setup.execute('rollback');
        r.discardPendingFiles();
        reporter.emit({
          type: 'info',
          message: `--atomic: ${failed ? 'a node or hook failed' : 'the run was interrupted'}, so the whole run was rolled back; the warehouse and file outputs are as they were before it`,
        });
      } else {
        faultPoint('atomic-commit');
        await setup.execute('commit');
        r.commitPendingFiles();
      }
    }
    exitCode = stop.requested ? 130 : failed ? 1 : 0;
    const completed = s.runtime.now();
    const summary: RunSummary = {
      invocationId: s.runtime.invocationId,
      command,
      target: s.target.name,
      startedAt: started.toISOString(),
      completedAt: completed.toISOString(),
      elapsed: (completed.getTime() - started.getTime()) / 1000,
      status: exitCode === 0 ? 'success' : exitCode === 130 ? 'interrupted' : 'error',
      exitCode,
      etlxVersion: s.runtime.version,
      args: argsOf(s, command, extraArgs),
    };
    const list = [...results.values()].map((x) => (x.message ? { ...x, message: redact(x.message, s.target.secrets) } : x));
    await writeHistory(setup, historyInserts(summary, list));
    setup.close();
    writeRunResults(s.targetDir, summary, list);
    for (const failure of await writer.flush()) reporter.emit({ type: 'warn', message: `could not write ${failure}` });
    const counts: Record<string, number> = {};
    for (const x of list) counts[x.status] = (counts[x.status] ?? 0) + 1;
    reporter.emit({ type: 'run_end', command, elapsed: summary.elapsed, counts, exit_code: exitCode });
    return { exitCode, results: list };
  } finally {
    await engine.close();
  }
}

/** The command line as data for run_results and etlx retry. */
function argsOf(s: Session, command: RunCommand, extra: Record<string, unknown>): Record<string, unknown> {
  const o = s.options;
  return {
    command,
    select: o.select,
    exclude: o.exclude,
    ...(o.vars !== undefined ? { vars: o.vars } : {}),
    ...(o.threads !== undefined ? { threads: o.threads } : {}),
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.target !== undefined ? { target: o.target } : {}),
    ...(o.state !== undefined ? { state: o.state } : {}),
    full_refresh: o.fullRefresh,
    fail_fast: o.failFast,
    ...(o.atomic !== undefined ? { atomic: o.atomic } : {}),
    ...extra,
  };
}

/**
 * For build, a model's children also wait for the model's tests, so an error-severity test
 * failure skips everything downstream of the model (dbt build's behaviour). As in dbt, a test
 * that reads several nodes (relationships, row_count_matches) only blocks the children that
 * depend on all of them: any other edge could close a cycle (a child of the `to` model that the
 * tested model itself is built from).
 */
function executionDag(s: Session, ids: ReadonlySet<string>, command: RunCommand): Dag {
  const p = s.project;
  const inputs = [...ids].map((id) => ({ id, deps: runParents(p, id) }));
  if (command !== 'build') return Dag.build(inputs);
  const byId = new Map(inputs.map((i) => [i.id, i]));
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (id: string) => {
    let a = ancestors.get(id);
    if (!a) ancestors.set(id, (a = p.dag.ancestors(id)));
    return a;
  };
  for (const t of p.tests.values()) {
    if (!ids.has(t.id)) continue;
    const parents = runParents(p, t.id);
    for (const parent of parents) {
      for (const child of throughEphemerals(p, parent, (x) => p.dag.children(x))) {
        const n = p.nodes.get(child);
        if (!n || n.resourceType === 'test' || !ids.has(child)) continue;
        if (parents.some((q) => q !== parent && !ancestorsOf(child).has(q))) continue;
        byId.get(child)!.deps.push(t.id);
      }
    }
  }
  return Dag.build([...byId.values()]);
}

function isEphemeral(p: ParsedProject, id: string): boolean {
  const n = p.nodes.get(id);
  return n?.resourceType === 'model' && n.mat.kind === 'ephemeral';
}

/**
 * The nodes `next` reaches from `id`, looking through ephemeral models: they are never run, but
 * inlined into their consumers, so an ephemeral model's parents are its consumers' parents (and
 * its children are its parents' children).
 */
function throughEphemerals(p: ParsedProject, id: string, next: (id: string) => readonly string[]): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = [...next(id)];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    if (isEphemeral(p, x)) stack.push(...next(x));
    else out.add(x);
  }
  return [...out].sort();
}

/** What a node waits for at run time: its parents, with ephemeral models replaced by their parents. */
export function runParents(p: ParsedProject, id: string): string[] {
  return throughEphemerals(p, id, (x) => p.dag.parents(x));
}

interface WarehouseState {
  readonly relations: Map<string, ExistingRelation>;
  readonly missingSources: ReadonlyMap<string, string>;
}

function relKey(schema: string, name: string): string {
  return `${schema}\u0000${name}`;
}

/** Serial setup: history tables, schemas, existing relations, staging-file checks. */
async function prepareWarehouse(s: Session, c: Connection, ids: ReadonlySet<string>): Promise<WarehouseState> {
  for (const sql of HISTORY_DDL) await c.execute(sql);
  const schemas = new Set<string>();
  const sources = new Set<SourceNode>();
  let storeFailures = false;
  for (const id of ids) {
    const n = s.project.nodes.get(id)!;
    if (n.resourceType === 'model' && (n.mat.kind === 'view' || n.mat.kind === 'table' || n.mat.kind === 'incremental')) schemas.add(modelTarget(n, s.target.schema).schema);
    if (n.resourceType === 'seed') schemas.add(seedTarget(n, s.target.schema).schema);
    if (n.resourceType === 'test' && n.config.store_failures) storeFailures = true;
    if (n.resourceType !== 'seed') {
      for (const p of runParents(s.project, id)) {
        const pn = s.project.nodes.get(p);
        if (pn?.resourceType === 'source' && pn.kind === 'file') sources.add(pn);
      }
    }
  }
  if (storeFailures) schemas.add('etlx_test_failures');
  for (const schema of [...schemas].sort()) await c.execute(`create schema if not exists ${quoteIdent(schema)}`);
  const relations = new Map<string, ExistingRelation>();
  for (const row of await c.query(
    `select table_schema as s, table_name as n, table_type as t from information_schema.tables where table_catalog = current_database()`,
  )) {
    relations.set(relKey(String(row.s), String(row.n)), { type: row.t === 'VIEW' ? 'view' : 'table' });
  }
  const missingSources = new Map<string, string>();
  for (const src of [...sources].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const rows = await c.query(`select count(*) as n from glob(${quoteLiteral(src.absLocation!)})`);
    if (Number(rows[0]?.n ?? 0) === 0) {
      const glob = /[*?[]/.test(src.location!);
      missingSources.set(
        src.id,
        `source ${src.sourceName}.${src.name}: ${glob ? 'no files match' : 'file not found:'} ${src.location} (declared in ${src.path}${src.line ? `:${src.line}` : ''}); check that the staging files were delivered`,
      );
    }
  }
  return { relations, missingSources };
}

/** Run history for one invocation, in one transaction: all of its rows or none. */
async function writeHistory(c: Connection, inserts: readonly string[]): Promise<void> {
  await c.execute('begin transaction');
  try {
    for (const [i, sql] of inserts.entries()) {
      if (i === 1) faultPoint('history');
      await c.execute(sql);
    }
    await c.execute('commit');
  } catch (e) {
    await c.execute('rollback').catch(() => undefined);
    throw e;
  }
}

/**
 * Runs on-run-start / on-run-end hooks in order, stopping at the first failure. A failed hook is
 * a run-time failure (exit 1, results still written), not an internal error: returns it.
 */
async function runHooks(c: Connection, hooks: readonly string[], what: 'on-run-start' | 'on-run-end'): Promise<Diagnostic | undefined> {
  for (const sql of hooks) {
    try {
      await c.execute(sql);
    } catch (e) {
      return {
        severity: 'error',
        code: 'E_HOOK',
        message: `${what} hook failed: ${errorText(e)}\n  SQL: ${sql}`,
        file: 'etlx.yml',
        hint: what === 'on-run-start' ? `fix the hook under ${what}: in etlx.yml; no node was run` : `fix the hook under ${what}: in etlx.yml; the nodes themselves ran`,
      };
    }
  }
  return undefined;
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').filter((l) => l.trim().length > 0).slice(0, 6).join('\n');
}

/** Adds a hint for SQL that needs an extension this machine cannot install. */
export function explainError(message: string): string {
  if (/httpfs|postgres_scanner|postgres|sqlite_scanner|sqlite|mysql|Extension ".*" not found|Failed to download extension|INSTALL/i.test(message) && /extension/i.test(message)) {
    return `${message}\n  hint: only DuckDB's bundled extensions (parquet, json, icu) are available here; read staging files from disk instead of remote or database scanners`;
  }
  if (/Interrupted/i.test(message)) return 'interrupted';
  return message;
}

class NodeRunner {
  private counter = 0;
  private total = 0;
  private readonly connections: (Connection | undefined)[] = [];
  private single: Connection | undefined;
  private readonly executed = new Map<string, string[]>();
  private readonly pendingFiles: { mode: 'replace' | 'add'; final: string; staging: string }[] = [];
  constructor(
    private readonly s: Session,
    private readonly compiled: CompiledProject,
    private readonly engine: Engine,
    private readonly state: WarehouseState,
    private readonly stop: StopSignal,
    private readonly atomic: boolean,
  ) {}

  setCounter(done: number, total: number): void {
    this.counter = done;
    this.total = total;
  }

  useSingleConnection(c: Connection): void {
    this.single = c;
  }

  statementsOf(id: string): string[] {
    return this.executed.get(id) ?? [];
  }

  recoverFiles(ids: ReadonlySet<string>): string[] {
    const notes: string[] = [];
    for (const id of ids) {
      const n = this.s.project.nodes.get(id);
      if (n?.resourceType === 'model' && n.mat.kind === 'file') notes.push(...recoverOutput(n.mat.location));
    }
    return notes;
  }

  private async conn(slot: number): Promise<Connection> {
    if (this.single) return this.single;
    let c = this.connections[slot];
    if (!c) {
      c = await this.engine.connect();
      this.connections[slot] = c;
    }
    return c;
  }

  private describe(n: Node): string {
    const p = this.s.project;
    switch (n.resourceType) {
      case 'model':
        return n.mat.kind === 'file'
          ? `file model ${n.name} -> ${n.mat.locationShown}`
          : `${n.mat.kind} model ${relationOf(p, this.s.ctx, n.id).replace(/"/g, '')}`;
      case 'seed':
        return `seed ${relationOf(p, this.s.ctx, n.id).replace(/"/g, '')}`;
      case 'test':
        return `test ${n.name}`;
      case 'source':
        return `freshness of source ${n.sourceName}.${n.name}`;
      default:
        return '';
    }
  }

  skipped(id: string, cause: string | undefined, reason?: string): NodeResult {
    const n = this.s.project.nodes.get(id)!;
    const index = ++this.counter;
    const causeNode = cause ? this.s.project.nodes.get(cause) : undefined;
    let message = reason ?? 'skipped (--fail-fast)';
    if (reason === undefined) {
      if (causeNode) message = `skipped because ${causeNode.resourceType} ${causeNode.name} failed`;
      else if (this.stop.requested) message = 'skipped: the run was interrupted';
      else if (this.atomic && !this.s.options.failFast) message = 'skipped: --atomic rolls the whole run back after a failure';
    }
    this.s.runtime.reporter.emit({ type: 'node_end', index, total: this.total, unique_id: id, resource_type: n.resourceType, status: 'skipped', description: this.describe(n), elapsed: 0, message });
    return { unique_id: id, resource_type: n.resourceType, name: n.name, status: 'skipped', timing: { elapsed: 0 }, message };
  }

  async runNode(id: string, slot: number): Promise<NodeResult> {
    const n = this.s.project.nodes.get(id)!;
    const index = ++this.counter;
    const reporter = this.s.runtime.reporter;
    const description = this.describe(n);
    reporter.emit({ type: 'node_start', index, total: this.total, unique_id: id, description });
    reporter.progress(`[${index}/${this.total}] running ${n.name}`);
    const started = this.s.runtime.now();
    let status: NodeStatus;
    let rows: number | undefined;
    let failures: number | undefined;
    let message: string | undefined;
    let sample: string | undefined;
    let where = n.path;
    const c = await this.conn(slot);
    this.stop.track(c);
    try {
      if (n.resourceType === 'test') {
        const t = await this.runTest(n, c);
        status = t.status;
        failures = t.failures;
        rows = t.rows;
        message = t.message;
        sample = t.sample;
      } else {
        rows = n.resourceType === 'seed' ? await this.runSeed(n, c) : n.resourceType === 'model' ? await this.runModel(n, c) : undefined;
        status = 'success';
      }
    } catch (e) {
      status = 'error';
      message = e instanceof NodeFailure ? e.message : explainError(errorText(e));
      if (this.stop.requested) message = 'interrupted';
      const line = e instanceof StatementFailure ? this.sourceLine(id, e) : undefined;
      if (line !== undefined) where = `${n.path}:${line}`;
    } finally {
      this.stop.untrack(c);
    }
    const completed = this.s.runtime.now();
    const elapsed = (completed.getTime() - started.getTime()) / 1000;
    const relation = n.resourceType === 'model' || n.resourceType === 'seed' ? relationOf(this.s.project, this.s.ctx, id) : undefined;
    reporter.emit({
      type: 'node_end',
      index,
      total: this.total,
      unique_id: id,
      resource_type: n.resourceType,
      status,
      description: status === 'success' ? `${verb(n)} ${description}` : description,
      ...(rows !== undefined && n.resourceType !== 'test' ? { rows } : {}),
      ...(failures !== undefined ? { failures } : {}),
      elapsed,
      ...(message ? { message: n.resourceType === 'test' || status !== 'error' ? message : `${message}\n  in ${where}` } : {}),
      ...(sample ? { sample } : {}),
    });
    return {
      unique_id: id,
      resource_type: n.resourceType,
      name: n.name,
      status,
      timing: { started_at: started.toISOString(), completed_at: completed.toISOString(), elapsed },
      rows_affected: rows ?? null,
      ...(n.resourceType === 'test' ? { failures: failures ?? null } : {}),
      message: message ?? null,
      ...(relation ? { relation_name: relativize(relation, this.s.project.root) } : {}),
    };
  }

  /** Executes a plan: statements in order, in a transaction when asked (not under --atomic's outer one). */
  private async execute(id: string, c: Connection, plan: StatementPlan): Promise<number | undefined> {
    const log = this.executed.get(id) ?? [];
    this.executed.set(id, log);
    const tx = plan.transactional && !this.atomic;
    let rows: number | undefined;
    if (tx) {
      log.push('begin transaction');
      await c.execute('begin transaction');
    }
    try {
      for (const st of plan.statements) {
        log.push(st.sql);
        const r = await this.runStatement(c, st).catch((e: unknown) => {
          throw new StatementFailure(e, st.sql);
        });
        if (st.countsRows) rows = r;
        if (st.purpose === 'create' || st.purpose === 'merge' || st.purpose === 'insert') faultPoint(`after-${st.purpose}`);
      }
      if (tx) {
        faultPoint('before-commit');
        log.push('commit');
        await c.execute('commit');
      }
    } catch (e) {
      if (tx) await c.execute('rollback').catch(() => undefined);
      throw e;
    }
    return rows;
  }

  private async runStatement(c: Connection, st: Statement): Promise<number | undefined> {
    if (this.stop.requested) throw new NodeFailure('interrupted');
    if (st.purpose === 'create') faultDuring('during-create');
    return c.execute(st.sql);
  }

  private existing(schema: string, name: string): ExistingRelation {
    return this.state.relations.get(relKey(schema, name));
  }

  /**
   * The model file line of a DuckDB error: its `LINE n` counts lines of the executed statement;
   * the model's rendered SQL sits inside that statement, and its source map leads to the file.
   */
  private sourceLine(id: string, e: StatementFailure): number | undefined {
    const m = /LINE (\d+):/.exec(e.message);
    const rendered = this.compiled.nodes.get(id)?.rendered;
    if (!m || !rendered) return undefined;
    const own = trimSql(rendered.text);
    const start = e.statement.indexOf(own);
    if (start < 0 || own.length === 0) return undefined;
    let offset = 0;
    for (let l = 1; l < Number(m[1]); l++) {
      offset = e.statement.indexOf('\n', offset) + 1;
      if (offset === 0) return undefined;
    }
    if (offset < start || offset > start + own.length) return undefined;
    return sourcePosition(rendered, offset - start)?.line;
  }

  /** The node's rendered hooks (compile renders them like the model, so {{self}} works). */
  private hooks(id: string): { pre: readonly string[]; post: readonly string[] } {
    const c = this.compiled.nodes.get(id);
    return { pre: c?.preHooks ?? [], post: c?.postHooks ?? [] };
  }

  private sqlOf(id: string): string {
    return this.compiled.nodes.get(id)!.sql;
  }

  private missingSource(m: ModelNode): void {
    for (const p of runParents(this.s.project, m.id)) {
      const msg = this.state.missingSources.get(p);
      if (msg) throw new NodeFailure(msg);
    }
  }

  private async runSeed(seed: SeedNode, c: Connection): Promise<number | undefined> {
    const relation = relationOf(this.s.project, this.s.ctx, seed.id);
    try {
      return await this.execute(seed.id, c, seedPlan(seed, relation, this.hooks(seed.id).pre, this.hooks(seed.id).post));
    } catch (e) {
      throw new NodeFailure(await this.seedError(seed, c, errorText(e)));
    }
  }

  /** A failed seed load, explained with the file and line DuckDB's rejects table names. */
  private async seedError(seed: SeedNode, c: Connection, original: string): Promise<string> {
    const d = seedDiagnosisSql(seed);
    try {
      await c.execute(d.scan);
      const rows = await c.query(d.errors);
      const first = rows[0];
      if (first) {
        return `${seed.path}:${String(first.line)}: ${String(first.error_type).toLowerCase()}: ${String(first.error_message)}\n  line: ${String(first.csv_line)}\n  hint: fix that line of the CSV (quote fields that contain the delimiter), or set column_types for the seed`;
      }
    } catch {
      // Fall back to DuckDB's own message.
    }
    const line = /Line: (\d+)/.exec(original);
    return `${seed.path}${line ? `:${line[1]}` : ''}: ${original}\n  hint: check the CSV's header and delimiter, and column_types in the seed's config`;
  }

  private isIncremental(m: ModelNode, schema: string, identifier: string): boolean {
    if (m.mat.kind !== 'incremental') return false;
    const existing = this.existing(schema, identifier);
    if (existing?.type !== 'table') return false;
    return !this.fullRefresh(m);
  }

  /** --full-refresh applies unless the model's config says full_refresh: false. */
  private fullRefresh(m: ModelNode): boolean {
    return this.s.options.fullRefresh && m.config.full_refresh !== false;
  }

  private async runModel(m: ModelNode, c: Connection): Promise<number | undefined> {
    this.missingSource(m);
    const mat = m.mat;
    switch (mat.kind) {
      case 'view':
      case 'table': {
        const t = modelTarget(m, this.s.target.schema);
        const relation = relationOf(this.s.project, this.s.ctx, m.id);
        const plan = mat.kind === 'view' ? viewPlan : tablePlan;
        const { pre, post } = this.hooks(m.id);
        return this.execute(m.id, c, plan(relation, this.sqlOf(m.id), this.existing(t.schema, t.identifier), pre, post));
      }
      case 'incremental':
        return this.runIncremental(m, mat, c);
      case 'file':
        return this.runFile(m, mat, c);
      case 'ephemeral':
        return undefined;
      default: {
        const never: never = mat;
        throw new Error(`unknown materialization ${JSON.stringify(never)}`);
      }
    }
  }

  private async runIncremental(m: ModelNode, mat: Extract<ModelNode['mat'], { kind: 'incremental' }>, c: Connection): Promise<number | undefined> {
    const t = modelTarget(m, this.s.target.schema);
    const relation = relationOf(this.s.project, this.s.ctx, m.id);
    const incremental = this.isIncremental(m, t.schema, t.identifier);
    if (!incremental) {
      const existing = this.existing(t.schema, t.identifier);
      return this.execute(m.id, c, tablePlan(relation, this.sqlOf(m.id), existing, this.hooks(m.id).pre, this.hooks(m.id).post));
    }
    const sql = this.renderIncremental(m);
    try {
      await this.execute(m.id, c, stageNewRows(m.name, sql, this.hooks(m.id).pre));
      if (mat.strategy !== 'append' && mat.uniqueKey.length > 0) {
        const dups = await c.query(duplicateKeySql(m.name, mat.uniqueKey));
        if (dups.length > 0) {
          const shown = dups.map((d) => `${mat.uniqueKey.map((k) => `${k}=${String(d[k])}`).join(', ')} (${String(d.n)} rows)`).join('; ');
          throw new NodeFailure(
            `duplicate unique_key values in the new rows of ${m.name}: ${shown}\n  hint: make ${mat.uniqueKey.join(', ')} unique in the model's SELECT (e.g. qualify row_number() over (partition by ${mat.uniqueKey.join(', ')} order by ...) = 1); ${relation} was left unchanged`,
          );
        }
      }
      const have = (await c.query(columnsSql(t.schema, t.identifier))) as unknown as Column[];
      const come = (await c.query(columnsSql(null, stagingName(m.name), true))) as unknown as Column[];
      const change = planSchemaChange(relation, mat, have, come);
      if (!change.ok) throw new NodeFailure(`${m.name}: ${change.message}`);
      return await this.execute(m.id, c, applyNewRows(relation, m.name, mat, change, this.hooks(m.id).post));
    } finally {
      if (!this.atomic) await c.execute(dropStaging(m.name).sql).catch(() => undefined);
    }
  }

  /** Re-renders a model with is_incremental true (compile renders it false). */
  private renderIncremental(m: ModelNode): string {
    const r = compileProject(this.s.project, { ...this.s.ctx, isIncremental: (x) => x.id === m.id }, new Set([m.id]));
    const c = r.nodes.get(m.id);
    if (!c) throw new NodeFailure(r.diagnostics.map((d) => d.message).join('\n') || `cannot render ${m.name}`);
    return c.sql;
  }

  private async runFile(m: ModelNode, mat: Extract<ModelNode['mat'], { kind: 'file' }>, c: Connection): Promise<number | undefined> {
    const tag = `${this.s.runtime.now().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}_${this.s.runtime.invocationId.slice(0, 8)}`;
    const staging = stagingPath(mat, this.s.runtime.invocationId);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(path.dirname(staging), { recursive: true });
    if (mat.incremental) mkdirSync(staging, { recursive: true });
    // An incremental file model adds files to a dataset that has some, unless --full-refresh
    // (and no full_refresh: false) rewrites it.
    const hasFiles = existsSync(mat.location) && statSync(mat.location).isDirectory() && readdirSync(mat.location).length > 0;
    const adding = mat.incremental && hasFiles && !this.fullRefresh(m);
    const sql = adding ? this.renderIncremental(m) : this.sqlOf(m.id);
    let rows: number | undefined;
    try {
      rows = await this.execute(m.id, c, filePlan(mat, sql, staging, this.hooks(m.id).pre, this.hooks(m.id).post, tag));
      // A new dataset with zero rows still needs a file with its columns; an existing one has them.
      if (rows === 0 && mat.partitionBy.length > 0 && !adding) {
        mkdirSync(staging, { recursive: true });
        const empty = emptyDatasetSql(mat, sql, staging);
        this.executed.get(m.id)?.push(empty);
        await c.execute(empty);
      }
      faultPoint('after-copy');
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    const mode = adding ? 'add' : 'replace';
    if (this.atomic) this.pendingFiles.push({ mode, final: mat.location, staging });
    else commitOutput(mode, mat.location, staging, this.s.runtime.invocationId.slice(0, 8));
    return rows;
  }

  commitPendingFiles(): void {
    for (const f of this.pendingFiles) commitOutput(f.mode, f.final, f.staging, this.s.runtime.invocationId.slice(0, 8));
  }

  discardPendingFiles(): void {
    for (const f of this.pendingFiles) rmSync(f.staging, { recursive: true, force: true });
  }

  private async runTest(t: TestNode, c: Connection): Promise<{ status: NodeStatus; failures?: number; rows?: number; message?: string; sample?: string }> {
    for (const p of runParents(this.s.project, t.id)) {
      const msg = this.state.missingSources.get(p);
      if (msg) throw new NodeFailure(msg);
    }
    const sql = this.sqlOf(t.id);
    const log = this.executed.get(t.id) ?? [];
    this.executed.set(t.id, log);
    const countSql = failureCountSql(sql);
    log.push(countSql);
    const rowsOut = await c.query(countSql);
    const failures = Number(rowsOut[0]?.failures ?? 0);
    let rows: number | undefined;
    if (t.kind === 'row_count_change') {
      const rel = relationOf(this.s.project, this.s.ctx, t.attachedTo!);
      const q = rowCountSql(rel);
      log.push(q);
      rows = Number((await c.query(q))[0]?.n ?? 0);
    }
    const errorHit = threshold(t.config.error_if, failures);
    const warnHit = threshold(t.config.warn_if, failures);
    const status: NodeStatus = t.config.severity === 'error' && errorHit ? 'fail' : errorHit || warnHit ? 'warn' : 'pass';
    let sample: string | undefined;
    let message: string | undefined;
    if (failures > 0) {
      if (t.config.store_failures) {
        const table = `${quoteIdent('etlx_test_failures')}.${quoteIdent(t.name)}`;
        const store = `create or replace table ${table} as\n${sql}`;
        log.push(store);
        await c.execute(store);
        message = `${failures} failing row${failures === 1 ? '' : 's'}, stored in etlx_test_failures.${t.name}`;
      } else {
        message = `${failures} failing row${failures === 1 ? '' : 's'}`;
      }
      message += ` (${t.path}${t.line ? `:${t.line}` : ''})`;
      const sampleRows = await c.query(`select columns(*)::varchar from (\n${sql}\n) limit 5`);
      if (sampleRows.length > 0) {
        const cols = Object.keys(sampleRows[0]!);
        sample = formatTable(cols, sampleRows.map((r) => cols.map((k) => (r[k] === null || r[k] === undefined ? 'NULL' : String(r[k])))));
      }
    }
    return { status, failures, ...(rows !== undefined ? { rows } : {}), ...(message ? { message } : {}), ...(sample ? { sample } : {}) };
  }
}

function verb(n: Node): string {
  if (n.resourceType === 'seed') return 'loaded';
  if (n.resourceType === 'model') return n.mat.kind === 'file' ? 'wrote' : 'created';
  return '';
}

/** `"> 10"` against a failure count. */
export function threshold(condition: string, n: number): boolean {
  const m = THRESHOLD.exec(condition);
  if (!m) return n !== 0;
  const v = Number(m[2]);
  switch (m[1]) {
    case '>':
      return n > v;
    case '>=':
      return n >= v;
    case '<':
      return n < v;
    case '<=':
      return n <= v;
    case '=':
    case '==':
      return n === v;
    default:
      return n !== v;
  }
}

/** target/run/<path>.sql: the exact statements a node executed, written as it finishes. */
function writeRunSql(s: Session, writer: BackgroundWriter, id: string, statements: readonly string[]): void {
  if (statements.length === 0) return;
  const n = s.project.nodes.get(id)!;
  const rel = n.resourceType === 'test' && n.testType === 'generic' ? path.join(n.path, `${n.name}.sql`) : n.path;
  writer.write(path.join(s.targetDir, 'run', rel), `${redact(statements.map((x) => `${x};`).join('\n\n'), s.target.secrets)}\n`);
}

