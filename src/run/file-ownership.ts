import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/json.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { configLine, OUTPUTS_DIR } from '../plan/output-checks.js';
import type { Session } from '../session.js';
import { stagingKey } from '../materialize/file.js';
import { listFiles } from './file-moves.js';

/**
 * What etlx wrote at a file model's location, so it replaces only its own output. Records live in
 * the project's `.etlx-outputs/owned/` (not in target/, which `etlx clean` removes, and not
 * beside the dataset, where a reader's `exports/*` glob would match them: DuckDB's `*` matches
 * dot-files). A record describes the output, not just its path: a file's size and modification
 * time, a folder's file list; so a file someone put at that path later is not taken for etlx's.
 */
export interface OwnedOutput {
  readonly version: 1;
  readonly location: string;
  /** A single file: the states etlx left it in (two while a move is under way). */
  readonly versions?: readonly { readonly size: number; readonly mtimeMs: number }[];
  /** A folder: every file etlx wrote into it, relative to it. */
  readonly files?: readonly string[];
}

export function ownedRecordPath(root: string, final: string): string {
  return path.join(root, OUTPUTS_DIR, 'owned', `${stagingKey(final)}.json`);
}

function readRecord(root: string, final: string): OwnedOutput | undefined {
  try {
    const r = JSON.parse(readFileSync(ownedRecordPath(root, final), 'utf8')) as OwnedOutput;
    return r.location === final ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Files DuckDB's COPY writes under etlx's naming: hive folders, data_N, empty, or a run tag. */
const ETLX_FILE = /^(data_\d+(_\d+)*|empty|\d{14}_[0-9a-f]{8}(_\d+)*)\.(parquet|csv|json)$/;

function etlxNamed(rel: string): boolean {
  const parts = rel.split(path.sep);
  return parts.slice(0, -1).every((p) => /^[^=]+=/.test(p)) && ETLX_FILE.test(parts[parts.length - 1]!);
}

/**
 * Why etlx may not replace what is at `final`, or undefined. A folder written by an etlx that kept
 * no records is adopted when every file in it has a name etlx's COPY gives; a single file without
 * a record is never taken (any file could have its name).
 */
export function ownershipProblem(root: string, final: string): string | undefined {
  if (!existsSync(final)) return undefined;
  const st = statSync(final);
  const rec = readRecord(root, final);
  if (st.isFile()) {
    if (rec?.versions?.some((v) => v.size === st.size && v.mtimeMs === st.mtimeMs)) return undefined;
    return rec ? 'it was changed since etlx wrote it' : 'etlx did not create it (it has no record of writing it)';
  }
  if (!st.isDirectory()) return 'it is not a file or folder';
  const known = new Set(rec?.files ?? []);
  const foreign = listFiles(final).filter((f) => !known.has(f) && (rec !== undefined || !etlxNamed(f)));
  if (foreign.length === 0) return undefined;
  return `it holds files etlx did not write: ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? `, and ${foreign.length - 3} more` : ''}`;
}

/** What a staged output will look like in place (a rename keeps size and modification time). */
function stateOf(staging: string): Pick<OwnedOutput, 'versions' | 'files'> {
  if (!existsSync(staging)) return {};
  const st = statSync(staging);
  return st.isDirectory() ? { files: listFiles(staging) } : { versions: [{ size: st.size, mtimeMs: st.mtimeMs }] };
}

/**
 * Records a move before it happens: both the current and the staged state are accepted, so a
 * crash mid-move never makes etlx refuse its own output. `settle` then keeps only the new state.
 */
export function recordBeforeMove(root: string, final: string, staging: string): void {
  const prev = readRecord(root, final);
  const now = existsSync(final) ? stateOf(final) : {};
  const next = stateOf(staging);
  const files = [...new Set([...(prev?.files ?? []), ...(now.files ?? []), ...(next.files ?? [])])].sort();
  const versions = [...(now.versions ?? []), ...(next.versions ?? [])];
  writeRecord(root, { version: 1, location: final, ...(files.length > 0 || next.files ? { files } : {}), ...(versions.length > 0 ? { versions } : {}) });
}

export function settleRecord(root: string, final: string): void {
  if (existsSync(final)) writeRecord(root, { version: 1, location: final, ...stateOf(final) });
}

function writeRecord(root: string, r: OwnedOutput): void {
  writeFileAtomic(ownedRecordPath(root, r.location), `${JSON.stringify(r, null, 2)}\n`);
}

/**
 * Before a run touches anything: every file model it writes must find its location empty or
 * holding what etlx wrote there. Exit 2 with the model's file and a hint otherwise.
 */
export function ownershipChecks(s: Session, ids: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const id of ids) {
    const m = s.project.nodes.get(id);
    if (m?.resourceType !== 'model' || m.mat.kind !== 'file') continue;
    const problem = ownershipProblem(s.project.root, m.mat.location);
    if (!problem) continue;
    out.push({
      code: 'E_FILE_LOCATION',
      message: `file model ${m.name}: will not replace ${m.mat.locationShown}: ${problem}`,
      file: m.path,
      line: configLine(m, ['location']),
      hint: `etlx replaces only output it wrote. Move or delete ${m.mat.locationShown} (etlx writes it again), or set another location`,
    });
  }
  return out;
}
