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

export type StateManifestRead = { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly problem: 'missing' | 'invalid-json'; readonly detail?: string };

/** The manifest.json in a --state folder, as raw JSON: plan/ validates its shape. */
export function readStateManifestFile(dir: string, root: string): StateManifestRead {
  const file = path.join(path.resolve(root, dir), 'manifest.json');
  if (!existsSync(file)) return { ok: false, problem: 'missing' };
  try {
    return { ok: true, data: JSON.parse(readFileSync(file, 'utf8')) as unknown };
  } catch (e) {
    return { ok: false, problem: 'invalid-json', detail: (e as Error).message };
  }
}
