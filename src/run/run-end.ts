import type { NodeResult } from '../artifacts/run-results.js';
import { renderProjectHooks } from '../compile/compile.js';
import type { RunStatusWord } from '../config/schemas.js';
import type { Connection } from '../engine/engine.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { Session } from '../session.js';
import { RenderError } from '../template/render.js';
import { runProjectHooks } from './hooks.js';

/** The run's outcome in the words `notify`'s `on` and on-run-end's `run.status` use. */
export function runStatusOf(results: readonly NodeResult[], failed: boolean, interrupted: boolean): RunStatusWord {
  if (interrupted) return 'interrupted';
  if (failed) return 'error';
  return results.some((r) => r.status === 'warn') ? 'warn' : 'success';
}

export interface RunFacts {
  readonly status: RunStatusWord;
  readonly command: string;
  readonly invocationId: string;
  readonly startedAt: Date;
}

/**
 * on-run-end: rendered only now, with `run` and `results` in its template context (they depend
 * on what happened), then run in order. A hook that can't be rendered fails like one that the
 * engine rejects: exit 1, the nodes' results kept.
 */
export async function runEndHooks(s: Session, c: Connection, run: RunFacts, results: readonly NodeResult[]): Promise<{ failure?: Diagnostic; index?: number }> {
  const hooks = s.project.files.config.onRunEnd;
  if (hooks.length === 0) return {};
  const extra = {
    run: {
      status: run.status,
      command: run.command,
      invocation_id: run.invocationId,
      started_at: run.startedAt.toISOString(),
      elapsed: (s.runtime.now().getTime() - run.startedAt.getTime()) / 1000,
    },
    results: results.map((r) => ({
      unique_id: r.unique_id,
      name: r.name,
      resource_type: r.resource_type,
      status: r.status,
      message: r.message ?? null,
      rows_affected: r.rows_affected ?? null,
      execution_time: r.timing.elapsed,
    })),
  };
  for (const [i, hook] of hooks.entries()) {
    let sql: string;
    try {
      sql = renderProjectHooks(s.project, { ...s.ctx, extra }, [hook])[0]!;
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      return {
        index: i,
        failure: { severity: 'error', code: 'E_HOOK', message: `on-run-end hook failed: it cannot be rendered: ${e.message}`, file: 'etlx.yml', hint: e.hint || 'fix the hook under on-run-end: in etlx.yml; the nodes themselves ran' },
      };
    }
    const failure = await runProjectHooks(c, [sql], 'on-run-end');
    if (failure) return { failure, index: i };
  }
  return {};
}
