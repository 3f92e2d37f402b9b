import { existsSync } from 'node:fs';
import { BackgroundWriter } from '../artifacts/background-writer.js';
import { historyInserts } from '../artifacts/history.js';
import { clickhouseHistoryInserts } from '../artifacts/history-clickhouse.js';
import { writeRunResults, type NodeResult, type RunSummary } from '../artifacts/run-results.js';
import { renderProjectHooks, type CompiledProject } from '../compile/compile.js';
import { shownWarehousePath } from '../config/profiles.js';
import type { Connection, Engine } from '../engine/engine.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { Plan } from '../plan/execution.js';
import { viewChainWarnings } from '../plan/view-chains.js';
import type { Session } from '../session.js';
import { executeDag } from './executor.js';
import { FileOutputs } from './file-outputs.js';
import { JsonReaderColumns } from './json-reader-columns.js';
import { checkFreshness } from './freshness.js';
import { runProjectHooks } from './hooks.js';
import { notifyRun } from './notify-run.js';
import { runEndHooks, runStatusOf } from './run-end.js';
import { NodeRunner } from './node-runner.js';
import { prepareWarehouse } from './prepare.js';
import { argsOf, fullRefreshNotes, rolledBackResult, writeRunSql } from './run-record.js';
import { SourceWaiter } from './source-wait.js';
import type { StopSignal } from './stop-signal.js';
import { ChecksumCache } from '../project/checksum-cache.js';

export interface RunOutcome {
  readonly exitCode: number;
  readonly results: readonly NodeResult[];
}

/**
 * seed / run / test / build over an open warehouse: the plan and the compiled SQL come in
 * (exit 2 problems were found before), nodes run in DAG order, and run_results, target/run and
 * the history are written whatever happened.
 */
export async function executeRun(s: Session, plan: Plan, compiled: CompiledProject, engine: Engine, stop: StopSignal, extraArgs: Record<string, unknown> = {}): Promise<RunOutcome> {
  const started = s.runtime.now();
  const reporter = s.runtime.reporter;
  const writer = new BackgroundWriter(s.secrets, ChecksumCache.forTarget(s.targetDir, 'run-files'));
  const { ids, freshness, command } = plan;
  const total = ids.size + freshness.length;
  const atomic = s.target.atomic;
  reporter.emit({ type: 'run_start', command, total, target: s.target.name, warehouse: shownWarehousePath(s.target, s.project.root) });
  const setup = await engine.connect();
  const state = await prepareWarehouse(s, setup, ids);
  const files = new FileOutputs(s.runtime.faults, s.runtime.invocationId.slice(0, 8), atomic, s.project.root);
  const readers = new JsonReaderColumns(s, compiled);
  const r = new NodeRunner({ s, compiled: readers.compiled, engine, relations: state.relations, missingSources: state.missingSources, formerRelations: state.formerRelations, stop, atomic, files, planned: ids, written: (n, c) => readers.written(n, c) });
  for (const id of ids) {
    const n = s.project.nodes.get(id);
    if (n?.resourceType === 'model' && n.mat.kind === 'file') for (const note of files.recover(n.mat.location)) reporter.emit({ type: 'info', message: note });
  }
  for (const note of fullRefreshNotes(s, ids)) reporter.emit({ type: 'info', message: note });
  for (const w of viewChainWarnings(s.project, ids)) reporter.emit({ type: 'warn', message: w.message, hint: w.hint, file: w.file });
  if (atomic) {
    await setup.execute('begin transaction');
    r.useSingleConnection(setup);
  }
  const results = new Map<string, NodeResult>();
  // A signal before the run started: nothing runs, not even hooks; every node is recorded skipped.
  const startError = stop.requested ? undefined : await runProjectHooks(setup, renderProjectHooks(s.project, s.ctx, s.project.files.config.onRunStart), 'on-run-start');
  if (startError) {
    reporter.emit({ type: 'diagnostic', diagnostic: startError });
    // Nothing runs after a failed on-run-start hook; every node is recorded as skipped, so
    // etlx retry runs them all again.
    r.setCounter(0, total);
    for (const id of [...freshness.map((x) => x.id), ...plan.dag.topoOrder().filter((id) => ids.has(id))]) {
      results.set(id, r.skipped(id, undefined, 'skipped: the on-run-start hook failed'));
    }
  } else {
    let index = 0;
    for (const src of freshness) results.set(src.id, await checkFreshness(s, setup, src, ++index, total));
    r.setCounter(index, total);
    let failedOnce = false;
    const failFast = s.options.failFast || atomic;
    const waiter = new SourceWaiter(s, engine, state.missingSources, () => stop.requested || (failFast && failedOnce));
    await executeDag({
      dag: plan.dag,
      ids,
      concurrency: atomic ? 1 : s.target.threads,
      // Under --atomic the first failure dooms the run (and aborts its transaction): start nothing new.
      failFast,
      stopped: () => stop.requested,
      ready: (id) => waiter.gate(id),
      run: async (id, slot) => {
        const res = await r.runNode(id, slot);
        results.set(id, res);
        writeRunSql(s, writer, id, r.statementsOf(id));
        if (res.status === 'error' || res.status === 'fail') failedOnce = true;
        return res.status === 'error' || res.status === 'fail' ? 'failed' : 'ok';
      },
      skip: (id, cause) => {
        results.set(id, r.skipped(id, cause));
      },
    });
  }
  const gone = warehouseGone(s);
  const nodeFailed = gone || [...results.values()].some((x) => x.status === 'error' || x.status === 'fail');
  // Under --atomic a staged output that vanished before COMMIT fails the run: it rolls back.
  const vanished = atomic ? files.missingPending() : [];
  for (const final of vanished) reporter.emit({ type: 'warn', message: `the staged output for ${final} is gone (another process removed it); the run is rolled back` });
  const doomed = nodeFailed || startError !== undefined || vanished.length > 0;
  // --atomic: a doomed run is rolled back before on-run-end, so the hook (an audit row, an alert
  // table) runs on its own and persists; a good run's on-run-end runs inside the transaction, so
  // a failing hook rolls the whole run back.
  if (atomic && (doomed || stop.requested)) await finishAtomic(s, setup, files, doomed, stop.requested);
  const end = startError || total === 0 ? {} : await runEndHooks(s, setup, { status: runStatusOf([...results.values()], doomed, stop.requested), command, invocationId: s.runtime.invocationId, startedAt: started }, [...results.values()]);
  const endError = end.failure;
  if (endError) reportHookFailure(s, endError, end.index ?? 0, total);
  const failed = doomed || endError !== undefined;
  if (atomic && !doomed && !stop.requested) await finishAtomic(s, setup, files, failed, false);
  const exitCode = stop.requested ? 130 : failed ? 1 : 0;
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
  const rolledBack = atomic && (failed || stop.requested);
  const list = [...results.values()].map((x) => rolledBackResult(x, rolledBack));
  if (!gone) {
    try {
      // Under --atomic a failed or interrupted run committed nothing: its results are history, not baselines.
      if (s.target.type === 'clickhouse') for (const sql of clickhouseHistoryInserts(summary, list, s.secrets)) await setup.execute(sql);
      else await writeHistory(s, setup, historyInserts(summary, list, s.secrets, rolledBack));
    } catch (e) {
      // The run's outcome stands and run_results is still written: a history that cannot be
      // written (a full disk) is a warning, not a crash.
      reporter.emit({ type: 'warn', message: `could not record this run in the warehouse's history (etlx_meta): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, hint: 'check the free space and permissions of the warehouse folder' });
    }
  }
  writeRunResults(s.targetDir, summary, list, s.secrets);
  for (const failure of await writer.flush()) reporter.emit({ type: 'warn', message: `could not write ${failure}` });
  const status = runStatusOf(list, failed, stop.requested);
  await notifyRun(s, setup, { summary, status, results: list, failureOf: (id) => r.failureOf(id), ...(endError ? { hookFailure: { index: end.index ?? 0, diagnostic: endError } } : {}) });
  setup.close();
  const counts: Record<string, number> = {};
  for (const x of list) counts[x.status] = (counts[x.status] ?? 0) + 1;
  reporter.emit({ type: 'run_end', command, elapsed: summary.elapsed, counts, exit_code: exitCode });
  return { exitCode, results: list };
}

/** A failed on-run-end hook: its diagnostic, and a result line like a node's. */
function reportHookFailure(s: Session, d: Diagnostic, index: number, total: number): void {
  const reporter = s.runtime.reporter;
  reporter.emit({ type: 'diagnostic', diagnostic: d });
  reporter.emit({
    type: 'node_end',
    index: total,
    total,
    unique_id: `operation.${s.project.name}.${s.project.name}-on-run-end-${index}`,
    resource_type: 'operation',
    status: 'error',
    description: `on-run-end hook ${index + 1}`,
    elapsed: 0,
    diagnostic: d,
  });
}

/**
 * The warehouse file deleted (or moved) under a running etlx: DuckDB goes on writing to the
 * unlinked file, so every node "succeeds" into nothing. The run fails instead.
 */
function warehouseGone(s: Session): boolean {
  if (s.target.type !== 'duckdb' || s.target.path === ':memory:' || existsSync(s.target.path)) return false;
  s.runtime.reporter.emit({
    type: 'diagnostic',
    diagnostic: {
      code: 'E_WAREHOUSE_GONE',
      message: `the warehouse ${shownWarehousePath(s.target, s.project.root)} was deleted or moved while the run was going on: nothing this run built was kept`,
      hint: 'make sure nothing removes the warehouse file during a run (a cleanup job, a sync tool), then run again',
    },
  });
  return true;
}

/** --atomic: COMMIT and move file outputs into place, or ROLLBACK and drop them. */
async function finishAtomic(s: Session, c: Connection, files: FileOutputs, failed: boolean, stopped: boolean): Promise<void> {
  if (failed || stopped) {
    await c.execute('rollback');
    files.discardPending();
    s.runtime.reporter.emit({
      type: 'info',
      message: `--atomic: ${failed ? 'a node or hook failed' : 'the run was interrupted'}, so the whole run was rolled back; the warehouse and file outputs are as they were before it`,
    });
    return;
  }
  s.runtime.faults.at('atomic-commit');
  await c.execute('commit');
  files.commitPending();
}

/** Run history for one invocation, in one transaction: all of its rows or none. */
async function writeHistory(s: Session, c: Connection, inserts: readonly string[]): Promise<void> {
  await c.execute('begin transaction');
  try {
    for (const [i, sql] of inserts.entries()) {
      if (i === 1) s.runtime.faults.at('history');
      if (i === 1) s.runtime.faults.fail('history-error');
      await c.execute(sql);
    }
    await c.execute('commit');
  } catch (e) {
    await c.execute('rollback').catch(() => undefined);
    throw e;
  }
}
