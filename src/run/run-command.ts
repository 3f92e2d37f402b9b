import path from 'node:path';
import { BackgroundWriter } from '../artifacts/background-writer.js';
import { historyInserts } from '../artifacts/history.js';
import { writeRunResults, type NodeResult, type RunSummary } from '../artifacts/run-results.js';
import { renderProjectHooks, type CompiledProject } from '../compile/compile.js';
import { shownWarehousePath } from '../config/profiles.js';
import type { Connection, Engine } from '../engine/engine.js';
import type { Plan } from '../plan/execution.js';
import { viewChainWarnings } from '../plan/view-chains.js';
import type { Session } from '../session.js';
import { redact } from '../util/redact.js';
import { executeDag } from './executor.js';
import { FileOutputs } from './file-outputs.js';
import { checkFreshness } from './freshness.js';
import { runProjectHooks } from './hooks.js';
import { NodeRunner } from './node-runner.js';
import { prepareWarehouse } from './prepare.js';
import type { StopSignal } from './stop-signal.js';

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
  const writer = new BackgroundWriter();
  const { ids, freshness, command } = plan;
  const total = ids.size + freshness.length;
  const atomic = s.target.atomic;
  reporter.emit({ type: 'run_start', command, total, target: s.target.name, warehouse: shownWarehousePath(s.target, s.project.root) });
  const setup = await engine.connect();
  const state = await prepareWarehouse(s, setup, ids);
  const files = new FileOutputs(s.runtime.faults, s.runtime.invocationId.slice(0, 8), atomic);
  const r = new NodeRunner({ s, compiled, engine, relations: state.relations, missingSources: state.missingSources, stop, atomic, files });
  for (const id of ids) {
    const n = s.project.nodes.get(id);
    if (n?.resourceType === 'model' && n.mat.kind === 'file') for (const note of files.recover(n.mat.location)) reporter.emit({ type: 'info', message: note });
  }
  for (const w of viewChainWarnings(s.project, ids)) reporter.emit({ type: 'warn', message: w.message, hint: w.hint, file: w.file });
  if (atomic) {
    await setup.execute('begin transaction');
    r.useSingleConnection(setup);
  }
  const results = new Map<string, NodeResult>();
  const startError = await runProjectHooks(setup, renderProjectHooks(s.project, s.ctx, s.project.files.config.onRunStart), 'on-run-start');
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
    await executeDag({
      dag: plan.dag,
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
        results.set(id, r.skipped(id, cause));
      },
    });
  }
  const nodeFailed = [...results.values()].some((x) => x.status === 'error' || x.status === 'fail');
  const endError =
    !startError && !nodeFailed && !stop.requested ? await runProjectHooks(setup, renderProjectHooks(s.project, s.ctx, s.project.files.config.onRunEnd), 'on-run-end') : undefined;
  if (endError) reporter.emit({ type: 'diagnostic', diagnostic: endError });
  const failed = nodeFailed || startError !== undefined || endError !== undefined;
  if (atomic) await finishAtomic(s, setup, files, failed, stop.requested);
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
  const list = [...results.values()].map((x) => (x.message ? { ...x, message: redact(x.message, s.target.secrets) } : x));
  await writeHistory(s, setup, historyInserts(summary, list));
  setup.close();
  writeRunResults(s.targetDir, summary, list);
  for (const failure of await writer.flush()) reporter.emit({ type: 'warn', message: `could not write ${failure}` });
  const counts: Record<string, number> = {};
  for (const x of list) counts[x.status] = (counts[x.status] ?? 0) + 1;
  reporter.emit({ type: 'run_end', command, elapsed: summary.elapsed, counts, exit_code: exitCode });
  return { exitCode, results: list };
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
      await c.execute(sql);
    }
    await c.execute('commit');
  } catch (e) {
    await c.execute('rollback').catch(() => undefined);
    throw e;
  }
}

/** The command line as data for run_results and etlx retry. */
function argsOf(s: Session, command: string, extra: Record<string, unknown>): Record<string, unknown> {
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
    ...(o.defer ? { defer: true } : {}),
    full_refresh: o.fullRefresh,
    fail_fast: o.failFast,
    ...(o.atomic !== undefined ? { atomic: o.atomic } : {}),
    ...extra,
  };
}

/** target/run/<path>.sql: the exact statements a node executed, written as it finishes. */
function writeRunSql(s: Session, writer: BackgroundWriter, id: string, statements: readonly string[]): void {
  if (statements.length === 0) return;
  const n = s.project.nodes.get(id)!;
  const rel = n.resourceType === 'test' && n.testType === 'generic' ? path.join(n.path, `${n.name}.sql`) : n.path;
  writer.write(path.join(s.targetDir, 'run', rel), `${redact(statements.map((x) => `${x};`).join('\n\n'), s.target.secrets)}\n`);
}
