import { readPreviousRunResults } from '../project/previous-run.js';
import { EtlxError } from '../errors/diagnostic.js';
import type { RunCommand } from './execution.js';
import type { Session } from '../session.js';

export interface RetryPlan {
  readonly command: RunCommand;
  /** Flags to re-run with: the last run's, with --select narrowed to what failed or was skipped. */
  readonly flags: Record<string, unknown>;
  readonly retryOf: string;
  readonly nothing?: string;
}

/**
 * What `etlx retry` runs: the last run's command and flags, selecting the nodes that errored,
 * failed or were skipped and still exist. A retry writes run_results too, so retrying a retry works.
 */
export function retryArgs(s: Session): RetryPlan {
  const prev = readPreviousRunResults(s.targetDir);
  if (!prev?.results || !prev.args) {
    throw new EtlxError({ code: 'E_RETRY', message: 'nothing to retry: target/run_results.json is missing', hint: 'run etlx run or etlx build first' });
  }
  const args = prev.args as Record<string, unknown>;
  const command = String(args.command) as RunCommand;
  if (!['run', 'build', 'seed', 'test', 'snapshot'].includes(command)) {
    throw new EtlxError({ code: 'E_RETRY', message: `the last run's command "${command}" cannot be retried`, hint: 'retry works after seed, run, test and build' });
  }
  const ids = prev.results.filter((r) => r.status === 'error' || r.status === 'fail' || r.status === 'skipped').map((r) => r.unique_id).filter((id) => s.project.nodes.has(id));
  const retryOf = String((prev.metadata as Record<string, unknown> | undefined)?.invocation_id ?? '');
  const names = ids.map((id) => {
    const n = s.project.nodes.get(id)!;
    return n.resourceType === "source" ? `source:${n.sourceName}.${n.name}` : n.name;
  });
  const flags: Record<string, unknown> = {
    select: names,
    exclude: [],
    ...(args.vars !== undefined ? { vars: args.vars } : {}),
    ...(args.threads !== undefined ? { threads: String(args.threads) } : {}),
    ...(args.profile !== undefined ? { profile: args.profile } : {}),
    ...(args.target !== undefined ? { target: args.target } : {}),
    // Where the run wrote: the same profiles.yml (so the same warehouse) and the same --state.
    ...(args.profiles_dir !== undefined ? { profilesDir: args.profiles_dir } : {}),
    ...(args.state !== undefined ? { state: args.state } : {}),
    fullRefresh: Boolean(args.full_refresh),
    failFast: Boolean(args.fail_fast),
    ...(args.atomic !== undefined ? { atomic: args.atomic } : {}),
    // A deferred run's retry reads the same state (its parents are still not built here).
    ...(args.defer === true && typeof args.state === 'string' ? { state: args.state, defer: true } : {}),
  };
  if (ids.length === 0) return { command, flags, retryOf, nothing: 'Nothing to retry: the last run had no errors, failures or skipped nodes.' };
  return { command, flags, retryOf };
}
