import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/json.js';
import { stagingKey } from '../materialize/file.js';
import type { Faults } from './faults.js';

/**
 * Moving a file model's output into place. The journal is written before the first rename, so a
 * run that dies half-way is finished by the next one; a staging copy without a journal was never
 * complete and is discarded. Journals and staging copies name their owner (PID and host): only
 * what a dead process left is recovered, so two runs sharing a location (two targets) never
 * touch each other's in-flight output.
 */
export interface MoveJournal {
  readonly version: 1 | 2;
  readonly mode: 'replace' | 'add';
  readonly final: string;
  readonly staging: string;
  readonly old: string;
  readonly owner?: Owner;
}

/** The process that staged or is moving an output. */
export interface Owner {
  readonly pid: number;
  readonly host: string;
}

export function currentOwner(): Owner {
  return { pid: process.pid, host: os.hostname() };
}

/**
 * Whether the owner may still be at work: a live PID on this host, or any process on another
 * host (which this one cannot check, so its files are left alone).
 */
export function ownerAlive(o: Owner | undefined): boolean {
  if (!o || typeof o.pid !== 'number') return false;
  if (o.host !== os.hostname()) return true;
  if (o.pid === process.pid) return true;
  try {
    process.kill(o.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The journal of an etlx before staging moved out of the dataset's folder (recovered, never written). */
export function journalPath(final: string): string {
  return path.join(path.dirname(final), `.${path.basename(final)}.etlx-move.json`);
}

/**
 * Where one move's old copy goes: the staging folder, so a reader never sees it, or (called
 * without one) beside the dataset. The journal stays beside the dataset: it is small JSON that
 * no data glob matches, and there it is found for the dataset whatever staging folder was used.
 */
function oldPath(final: string, tag: string, stagingDir: string | undefined): string {
  return stagingDir === undefined ? path.join(path.dirname(final), `.${path.basename(final)}.etlx-old-${tag}`) : path.join(stagingDir, `${stagingKey(final)}.old-${tag}`);
}

/**
 * Moves `staging` into place. Refuses (throws) when the staged output is gone: a run never reports
 * rows that are not in the dataset.
 */
/** A move refused before its journal was written: nothing was moved, the staged copy can go. */
export class MoveRefused extends Error {}

export function commitOutput(mode: 'replace' | 'add', final: string, staging: string, tag: string, faults?: Faults, stagingDir?: string): void {
  if (!existsSync(staging)) {
    throw new MoveRefused(`the staged output for ${final} is gone (${staging}); another process removed it before it was moved into place, so nothing was written`);
  }
  const jp = journalPath(final);
  // Another live run (another target on the same location) is moving its output in: wait for nothing, touch nothing.
  const other = existsSync(jp) ? readJson<MoveJournal>(jp)?.owner : undefined;
  if (other && other.pid !== process.pid && ownerAlive(other)) {
    throw new MoveRefused(`another etlx run (pid ${other.pid} on ${other.host}) is moving its output into ${final}; this run's output was not moved in. Run again once it has finished`);
  }
  const journal: MoveJournal = { version: 2, mode, final, staging, old: oldPath(final, tag, stagingDir), owner: currentOwner() };
  writeFileAtomic(jp, JSON.stringify(journal));
  faults?.at('file-move');
  applyJournal(journal, jp, faults);
  if (!existsSync(final)) throw new Error(`${final} is missing after the move into place; another process removed it`);
}

function applyJournal(j: MoveJournal, jp: string, faults?: Faults): void {
  if (j.mode === 'replace') {
    if (existsSync(j.staging)) {
      if (existsSync(j.final)) {
        rmSync(j.old, { recursive: true, force: true });
        renameSync(j.final, j.old);
      }
      faults?.at('file-move-between');
      mkdirSync(path.dirname(j.final), { recursive: true });
      renameSync(j.staging, j.final);
    }
    rmSync(j.old, { recursive: true, force: true });
  } else {
    if (existsSync(j.staging)) {
      for (const rel of listFiles(j.staging)) {
        const to = path.join(j.final, rel);
        mkdirSync(path.dirname(to), { recursive: true });
        renameSync(path.join(j.staging, rel), to);
      }
      rmSync(j.staging, { recursive: true, force: true });
    }
  }
  rmSync(jp, { force: true });
}

/** Files under `dir`, relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? path.join(rel, e.name) : e.name;
      if (e.isDirectory()) visit(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  if (existsSync(dir) && statSync(dir).isDirectory()) visit(dir, '');
  return out.sort();
}

/**
 * Before a run: finish any journaled move of `final` whose owner is dead, then remove staging and
 * old copies that a dead process left. What a live process (another run on the same location)
 * is writing is left alone. Returns what was done, for the log.
 */
export function recoverOutput(final: string, stagingDir?: string): string[] {
  const notes: string[] = [];
  const busy = new Set<string>();
  const jp = journalPath(final);
  if (existsSync(jp) && statSync(jp).isFile()) {
    const j = readJson<MoveJournal>(jp);
    if (!j) rmSync(jp, { force: true });
    else if (ownerAlive(j.owner)) busy.add(j.staging).add(j.old);
    else {
      applyJournal(j, jp);
      notes.push(`finished an interrupted move into ${final}`);
    }
  }
  if (stagingDir !== undefined) notes.push(...recoverStaged(final, stagingDir, busy));
  notes.push(...recoverBeside(final, busy));
  return notes;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function recoverStaged(final: string, dir: string, busy: ReadonlySet<string>): string[] {
  const notes: string[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return notes;
  const key = `${stagingKey(final)}.`;
  for (const name of readdirSync(dir).filter((n) => n.startsWith(key)).sort()) {
    const full = path.join(dir, name);
    if (busy.has(full) || name.endsWith('.json')) continue;
    if (/\.tmp-[0-9a-f]+$/.test(name)) {
      const ownerFile = `${full}.owner.json`;
      if (ownerAlive(readJson<Owner>(ownerFile))) continue;
      rmSync(full, { recursive: true, force: true });
      rmSync(ownerFile, { force: true });
      notes.push(`discarded ${name}, left by an interrupted run`);
    } else if (/\.old-[^/]+$/.test(name)) {
      if (!existsSync(final)) {
        mkdirSync(path.dirname(final), { recursive: true });
        renameSync(full, final);
        notes.push(`restored ${final} from an interrupted move`);
      } else rmSync(full, { recursive: true, force: true });
    }
  }
  // Owner files whose staging copy is gone and whose owner is dead.
  for (const name of readdirSync(dir).filter((n) => n.startsWith(key) && n.endsWith('.owner.json'))) {
    const full = path.join(dir, name);
    if (!existsSync(full.slice(0, -'.owner.json'.length)) && !ownerAlive(readJson<Owner>(full))) rmSync(full, { force: true });
  }
  return notes;
}

/** Dot-named copies beside the dataset, from an etlx that staged there (no owner recorded). */
function recoverBeside(final: string, busy: ReadonlySet<string>): string[] {
  const notes: string[] = [];
  const dir = path.dirname(final);
  // A parent that is missing or not a folder has nothing to recover; the node itself then fails.
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return notes;
  const base = `.${path.basename(final)}.etlx-`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(base)) continue;
    const full = path.join(dir, name);
    if (busy.has(full)) continue;
    if (name.startsWith(`${base}old-`) && !existsSync(final)) {
      renameSync(full, final);
      notes.push(`restored ${final} from an interrupted move`);
    } else if (name.startsWith(`${base}tmp-`) || name.startsWith(`${base}old-`)) {
      rmSync(full, { recursive: true, force: true });
      notes.push(`discarded ${name}, left by an interrupted run`);
    }
  }
  return notes;
}
