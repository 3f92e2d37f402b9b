import path from 'node:path';
import type { Secrets } from '../util/redact.js';
import { stableStringify, writeFileAtomic } from './json.js';

export const RUN_RESULTS_SCHEMA = 'etlx/run-results/v1';

export type NodeStatus = 'success' | 'error' | 'skipped' | 'pass' | 'warn' | 'fail';

export interface NodeResult {
  readonly unique_id: string;
  readonly resource_type: string;
  readonly name: string;
  readonly status: NodeStatus;
  readonly timing: { readonly started_at?: string; readonly completed_at?: string; readonly elapsed: number };
  readonly rows_affected?: number | null;
  readonly failures?: number | null;
  readonly message?: string | null;
  readonly relation_name?: string;
  /** How many times the node ran: more than 1 after a retried transient failure (absent when skipped). */
  readonly attempts?: number;
}

export interface RunSummary {
  readonly invocationId: string;
  readonly command: string;
  readonly target: string;
  readonly startedAt: string;
  readonly completedAt: string;
  readonly elapsed: number;
  readonly status: 'success' | 'error' | 'interrupted';
  readonly exitCode: number;
  readonly etlxVersion: string;
  /** The command line as data, so `etlx retry` can repeat it. */
  readonly args: Readonly<Record<string, unknown>>;
}

export function runResultsObject(run: RunSummary, results: readonly NodeResult[]): Record<string, unknown> {
  return {
    metadata: {
      schema_version: RUN_RESULTS_SCHEMA,
      etlx_version: run.etlxVersion,
      generated_at: run.completedAt,
      invocation_id: run.invocationId,
      command: run.command,
      target: run.target,
    },
    elapsed: run.elapsed,
    status: run.status,
    exit_code: run.exitCode,
    args: run.args,
    results: [...results].sort((a, b) => (a.unique_id < b.unique_id ? -1 : a.unique_id > b.unique_id ? 1 : 0)),
  };
}

/** target/run_results.json, with every secret hidden (relation names with a secret schema too). */
export function writeRunResults(targetDir: string, run: RunSummary, results: readonly NodeResult[], secrets: Secrets): void {
  writeFileAtomic(path.join(targetDir, 'run_results.json'), secrets.redactJson(`${stableStringify(runResultsObject(run, results))}\n`));
}
