import type { NodeResult, NodeStatus } from '../artifacts/run-results.js';
import { relativize } from '../artifacts/paths.js';
import { relationOf, trimSql, type CompiledProject } from '../compile/compile.js';
import type { Node } from '../parse/nodes.js';
import { modelTarget, seedTarget, snapshotTarget } from '../compile/relations.js';
import type { Connection, Engine } from '../engine/engine.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { isRunnable, materializationOf, type RunnableNode } from '../materialize/index.js';
import { NodeFailure, type ExistingRelation, type KindOutcome, type NodeWork, type OutputFiles } from '../materialize/types.js';
import { runParents } from '../plan/execution.js';
import type { Session } from '../session.js';
import { sourcePosition, type Rendered } from '../template/render.js';
import { errorText, explainError, splitHint, StatementFailure } from './errors.js';
import { unbuiltParentMessage } from './not-built.js';
import type { StopSignal } from './stop-signal.js';
import { isTransient, retryPolicyOf, waitUnless } from './retry-policy.js';
import { unitTestSupport } from './unit-test-support.js';
import { RunWarehouse } from './warehouse.js';
import { displayRelation } from '../util/sql.js';

/** What the node runner shares across nodes of one run. */
export interface NodeRunnerContext {
  readonly s: Session;
  readonly compiled: CompiledProject;
  readonly engine: Engine;
  readonly relations: ReadonlyMap<string, ExistingRelation>;
  /** Sources whose staging files are missing, with the message for their readers. */
  readonly missingSources: ReadonlyMap<string, string>;
  readonly stop: StopSignal;
  readonly atomic: boolean;
  readonly files: OutputFiles;
  readonly formerRelations?: ReadonlyMap<string, { readonly relation: string; readonly type: 'table' | 'view' }>;
  /** The nodes this run builds: a parent outside it must already be in the warehouse. */
  readonly planned?: ReadonlySet<string>;
  /** Told when a node was written, before its children start (JSON file models' readers). */
  readonly written?: (n: Node, c: Connection) => Promise<void>;
}

/**
 * One node's lifecycle: announce it, find its connection, hand it to its materialization, turn
 * any failure into a Diagnostic with file, line and hint, and report the outcome as a result.
 */
export class NodeRunner {
  private counter = 0;
  private total = 0;
  private readonly connections: (Connection | undefined)[] = [];
  private single: Connection | undefined;
  private readonly executed = new Map<string, string[]>();
  private readonly failures = new Map<string, Diagnostic>();

  constructor(private readonly x: NodeRunnerContext) {}

  setCounter(done: number, total: number): void {
    this.counter = done;
    this.total = total;
  }

  /** Under --atomic every node runs on the connection that holds the run's transaction. */
  useSingleConnection(c: Connection): void {
    this.single = c;
  }

  /** A failed node's Diagnostic (file, line), for notifications. */
  failureOf(id: string): Diagnostic | undefined {
    return this.failures.get(id);
  }

  statementsOf(id: string): readonly string[] {
    return this.executed.get(id) ?? [];
  }

  private async conn(slot: number): Promise<Connection> {
    if (this.single) return this.single;
    let c = this.connections[slot];
    if (!c) {
      c = await this.x.engine.connect();
      this.connections[slot] = c;
    }
    return c;
  }

  private describe(n: Node): string {
    const { project, ctx } = this.x.s;
    switch (n.resourceType) {
      case 'model':
        return n.mat.kind === 'file' ? `file model ${n.name} -> ${n.mat.locationShown}` : `${n.mat.kind} model ${displayRelation(relationOf(project, ctx, n.id))}`;
      case 'seed':
        return `seed ${displayRelation(relationOf(project, ctx, n.id))}`;
      case 'test':
        return `test ${n.name}`;
      case 'source':
        return `freshness of source ${n.sourceName}.${n.name}`;
      case 'snapshot':
        return `snapshot ${relationOf(project, ctx, n.id).replace(/"/g, '')}`;
      case 'unit_test':
        return `unit test ${project.nodes.get(n.model)?.name ?? n.model}::${n.name}`;
      default:
        return '';
    }
  }

  skipped(id: string, cause: string | undefined, reason?: string): NodeResult {
    const { s, stop, atomic } = this.x;
    const n = s.project.nodes.get(id)!;
    const index = ++this.counter;
    const causeNode = cause ? s.project.nodes.get(cause) : undefined;
    let message = reason ?? 'skipped (--fail-fast)';
    if (reason === undefined) {
      if (causeNode) message = `skipped because ${causeNode.resourceType} ${causeNode.name} failed`;
      else if (stop.requested) message = 'skipped: the run was interrupted';
      else if (atomic && !s.options.failFast) message = 'skipped: --atomic rolls the whole run back after a failure';
    }
    s.runtime.reporter.emit({ type: 'node_end', index, total: this.total, unique_id: id, resource_type: n.resourceType, status: 'skipped', description: this.describe(n), elapsed: 0, message });
    return { unique_id: id, resource_type: n.resourceType, name: n.name, status: 'skipped', timing: { elapsed: 0 }, message };
  }

  async runNode(id: string, slot: number): Promise<NodeResult> {
    const { s, stop } = this.x;
    const n = s.project.nodes.get(id)!;
    if (!isRunnable(n)) throw new Error(`${id} is not a node the run builds`);
    const index = ++this.counter;
    const reporter = s.runtime.reporter;
    const description = this.describe(n);
    reporter.emit({ type: 'node_start', index, total: this.total, unique_id: id, description });
    reporter.progress(`[${index}/${this.total}] running ${n.name}`);
    const started = s.runtime.now();
    let outcome: KindOutcome = {};
    let failure: Diagnostic | undefined;
    const c = await this.conn(slot);
    const log: string[] = [];
    this.executed.set(id, log);
    stop.track(c);
    const policy = retryPolicyOf(n, s.options.retries, this.x.atomic);
    let attempts = 0;
    try {
      this.failOnMissingSource(n);
      // A unit test reads fixtures, never the warehouse: its model's parents need not be built.
      const unbuilt = this.x.planned && n.resourceType !== 'unit_test' ? unbuiltParentMessage(s, id, this.x.relations, this.x.planned) : undefined;
      if (unbuilt) throw new NodeFailure({ code: 'E_RELATION_NOT_BUILT', ...unbuilt });
      // Each kind's statements are atomic per node, so a failed attempt left nothing behind and
      // the next one starts clean. target/run keeps the statements of the last attempt.
      for (;;) {
        attempts++;
        log.length = 0;
        try {
          const wh = new RunWarehouse(c, log, { relations: this.x.relations, atomic: this.x.atomic, stop, faults: s.runtime.faults, node: n.name, attempt: attempts });
          outcome = await materializationOf(n, s.target.type).run(this.work(n), wh);
          await this.x.written?.(n, c);
          break;
        } catch (e) {
          if (attempts > policy.retries || stop.requested || e instanceof NodeFailure || !isTransient(errorText(e))) throw e;
          reporter.emit({
            type: 'warn',
            message: `${n.name}: attempt ${attempts} of ${policy.retries + 1} failed with a transient error, retrying in ${policy.delayMs / 1000}s: ${errorText(e).split('\n')[0]}`,
            file: n.path,
          });
          await waitUnless(policy.delayMs, () => stop.requested);
          if (stop.requested) throw e;
        }
      }
    } catch (e) {
      failure = this.diagnose(n, e);
      this.failures.set(id, failure);
    } finally {
      stop.untrack(c);
    }
    for (const w of outcome.warnings ?? []) reporter.emit({ type: 'warn', message: `${n.name}: ${w}`, file: n.path });
    const completed = s.runtime.now();
    const elapsed = (completed.getTime() - started.getTime()) / 1000;
    const status: NodeStatus = failure ? 'error' : (outcome.test?.status ?? 'success');
    const message = failure ? withHint(failure) : outcome.test?.message;
    const rows = outcome.rows;
    const failures = outcome.test?.failures;
    const relation = n.resourceType === 'model' || n.resourceType === 'seed' || n.resourceType === 'snapshot' ? relationOf(s.project, s.ctx, id) : undefined;
    const where = failure ? `${failure.file}${failure.line !== undefined ? `:${failure.line}` : ''}` : '';
    reporter.emit({
      type: 'node_end',
      index,
      total: this.total,
      unique_id: id,
      resource_type: n.resourceType,
      status,
      description: status === 'success' ? `${outcome.verb ?? verb(n)} ${description}` : description,
      ...(rows !== undefined && n.resourceType !== 'test' && n.resourceType !== 'unit_test' ? { rows } : {}),
      ...(failures !== undefined ? { failures } : {}),
      elapsed,
      ...(message ? { message: failure && n.resourceType !== 'test' ? `${message}\n  in ${where}` : message } : {}),
      ...(failure ? { diagnostic: failure } : {}),
      ...(status === 'error' || status === 'fail' ? { file: n.path } : {}),
      ...(outcome.test?.sample ? { sample: outcome.test.sample } : {}),
    });
    return {
      unique_id: id,
      resource_type: n.resourceType,
      name: n.name,
      status,
      timing: { started_at: started.toISOString(), completed_at: completed.toISOString(), elapsed },
      rows_affected: rows ?? null,
      ...(n.resourceType === 'test' || n.resourceType === 'unit_test' ? { failures: failures ?? null } : {}),
      message: message ?? null,
      ...(relation ? { relation_name: relativize(relation, s.project.root) } : {}),
      attempts,
    };
  }

  /** The facts a materialization decides from. */
  private work(n: RunnableNode): NodeWork<RunnableNode> {
    const { s } = this.x;
    const now = s.runtime.now();
    const invocationId = s.runtime.invocationId;
    const target =
      n.resourceType === 'seed'
        ? seedTarget(n, s.target.schema)
        : n.resourceType === 'snapshot'
          ? snapshotTarget(n, s.target.schema)
          : n.resourceType === 'model' && n.mat.kind !== 'file' && n.mat.kind !== 'ephemeral'
            ? modelTarget(n, s.target.schema)
            : undefined;
    return {
      node: n,
      compiled: this.x.compiled.nodes.get(n.id),
      relation: n.resourceType === 'test' || n.resourceType === 'unit_test' ? '' : relationOf(s.project, s.ctx, n.id),
      ...(target ? { target } : {}),
      fullRefresh: s.options.fullRefresh && (n.resourceType !== 'model' || n.config.full_refresh !== false),
      files: this.x.files,
      runTag: `${now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}_${invocationId.slice(0, 8)}`,
      stagingId: invocationId,
      ...(this.x.formerRelations?.has(n.id) ? { formerRelation: this.x.formerRelations.get(n.id)! } : {}),
      ...(n.resourceType === 'test' && n.kind === 'row_count_change' ? { testedRelation: relationOf(s.project, s.ctx, n.attachedTo!) } : {}),
      ...(n.resourceType === 'unit_test' ? { unitTests: unitTestSupport(s, this.x.stop) } : {}),
    };
  }

  /** A model or test that reads a source whose staging files are missing fails before it runs. */
  private failOnMissingSource(n: RunnableNode): void {
    if (n.resourceType === 'seed') return;
    for (const p of runParents(this.x.s.project, n.id)) {
      const msg = this.x.missingSources.get(p);
      if (msg) throw new NodeFailure({ code: 'E_SOURCE_MISSING', message: msg });
    }
  }

  /** Any failure as the node's Diagnostic: a node's own, or the engine's with the model line it points at. */
  private diagnose(n: RunnableNode, e: unknown): Diagnostic {
    if (this.x.stop.requested) return { code: 'E_INTERRUPTED', message: 'interrupted', file: n.path };
    if (e instanceof NodeFailure) return { ...e.diagnostic, file: e.diagnostic.file ?? n.path };
    const { message, hint } = splitHint(explainError(errorText(e)));
    const line = e instanceof StatementFailure ? this.sourceLine(n.id, e) : undefined;
    return { code: 'E_RUNTIME_SQL', message, file: n.path, ...(line !== undefined ? { line } : {}), ...(hint ? { hint } : {}) };
  }

  /**
   * The model file line of an engine error: its `LINE n` counts lines of the executed statement;
   * the model's rendered SQL (either variant) sits inside that statement, and its source map
   * leads to the file.
   */
  private sourceLine(id: string, e: StatementFailure): number | undefined {
    const m = /LINE (\d+):/.exec(e.message);
    const c = this.x.compiled.nodes.get(id);
    if (!m || !c) return undefined;
    for (const rendered of [c.rendered, c.incremental?.rendered]) {
      const line = rendered ? lineIn(rendered, e.statement, Number(m[1])) : undefined;
      if (line !== undefined) return line;
    }
    return undefined;
  }
}

function lineIn(rendered: Rendered, statement: string, statementLine: number): number | undefined {
  const own = trimSql(rendered.text);
  const start = statement.indexOf(own);
  if (start < 0 || own.length === 0) return undefined;
  let offset = 0;
  for (let l = 1; l < statementLine; l++) {
    offset = statement.indexOf('\n', offset) + 1;
    if (offset === 0) return undefined;
  }
  if (offset < start || offset > start + own.length) return undefined;
  return sourcePosition(rendered, offset - start)?.line;
}

/** run_results keeps the hint in the message text, as people read it. */
function withHint(d: Diagnostic): string {
  return d.hint ? `${d.message}\n  hint: ${d.hint}` : d.message;
}

function verb(n: Node): string {
  if (n.resourceType === 'seed') return 'loaded';
  if (n.resourceType === 'model') return n.mat.kind === 'file' ? 'wrote' : 'created';
  if (n.resourceType === 'snapshot') return 'snapshotted';
  return '';
}
