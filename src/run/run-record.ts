import path from 'node:path';
import type { BackgroundWriter } from '../artifacts/background-writer.js';
import type { NodeResult } from '../artifacts/run-results.js';
import type { Session } from '../session.js';

/** What a run records besides its nodes' work: the command line, target/run, notes, rolled-back results. */
/**
 * Under --atomic a failed run rolls everything back: a node that had succeeded is recorded as
 * skipped with the message "rolled back", so history says what committed and `etlx retry` runs it again.
 */
export function rolledBackResult(x: NodeResult, rolledBack: boolean): NodeResult {
  if (!rolledBack || (x.status !== 'success' && x.status !== 'pass' && x.status !== 'warn')) return x;
  return { ...x, status: 'skipped', message: `rolled back: it ${x.status === 'success' ? 'succeeded' : `ended ${x.status}`}, but --atomic undid the whole run after a failure` };
}

/** --full-refresh on a model whose config says full_refresh: false: say that it is kept. */
export function fullRefreshNotes(s: Session, ids: ReadonlySet<string>): string[] {
  if (!s.options.fullRefresh) return [];
  const out: string[] = [];
  for (const id of ids) {
    const n = s.project.nodes.get(id);
    if (n?.resourceType === 'model' && n.config.full_refresh === false) {
      out.push(`note: --full-refresh does not rebuild ${n.name}: its config says full_refresh: false (${n.path}), so it is built incrementally`);
    }
  }
  return out;
}

/** The command line as data for run_results and etlx retry. */
export function argsOf(s: Session, command: string, extra: Record<string, unknown>): Record<string, unknown> {
  const o = s.options;
  return {
    command,
    select: o.select,
    exclude: o.exclude,
    // Everything that decides where and what a run writes, so etlx retry writes the same place.
    project_dir: o.projectDir,
    ...(o.profilesDir !== undefined ? { profiles_dir: path.resolve(o.profilesDir) } : {}),
    ...(o.vars !== undefined ? { vars: o.vars } : {}),
    ...(o.threads !== undefined ? { threads: o.threads } : {}),
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.target !== undefined ? { target: o.target } : {}),
    // --state is read relative to the project (plan/state.ts), so it is recorded that way.
    ...(o.state !== undefined ? { state: path.resolve(s.project.root, o.state) } : {}),
    ...(o.defer ? { defer: true } : {}),
    full_refresh: o.fullRefresh,
    fail_fast: o.failFast,
    ...(o.atomic !== undefined ? { atomic: o.atomic } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...extra,
  };
}

/** target/run/<path>.sql: the exact statements a node executed, written as it finishes. */
export function writeRunSql(s: Session, writer: BackgroundWriter, id: string, statements: readonly string[]): void {
  if (statements.length === 0) return;
  const n = s.project.nodes.get(id)!;
  const rel = n.resourceType === 'test' && n.testType === 'generic' ? path.join(n.path, `${n.name}.sql`) : n.path;
  writer.write(path.join(s.targetDir, 'run', rel), `${statements.map((x) => `${x};`).join('\n\n')}\n`);
}
