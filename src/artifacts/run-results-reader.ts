import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface PreviousRunResults {
  readonly results?: { unique_id: string; status: string }[];
  readonly args?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
}

/** target/run_results.json of the last invocation, if there is a readable one. */
export function readPreviousRunResults(targetDir: string): PreviousRunResults | undefined {
  const file = path.join(targetDir, 'run_results.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PreviousRunResults;
  } catch {
    return undefined;
  }
}
