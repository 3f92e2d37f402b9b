import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/json.js';
import type { Faults } from './faults.js';

/**
 * Moving a file model's output into place. The journal is written before the first rename, so a
 * run that dies half-way is finished by the next one; a staging folder without a journal was never
 * complete and is discarded.
 */
export interface MoveJournal {
  readonly version: 1;
  readonly mode: 'replace' | 'add';
  readonly final: string;
  readonly staging: string;
  readonly old: string;
}

export function journalPath(final: string): string {
  return path.join(path.dirname(final), `.${path.basename(final)}.etlx-move.json`);
}

export function commitOutput(mode: 'replace' | 'add', final: string, staging: string, tag: string, faults?: Faults): void {
  const journal: MoveJournal = { version: 1, mode, final, staging, old: path.join(path.dirname(final), `.${path.basename(final)}.etlx-old-${tag}`) };
  writeFileAtomic(journalPath(final), JSON.stringify(journal));
  faults?.at('file-move');
  applyJournal(journal, faults);
}

function applyJournal(j: MoveJournal, faults?: Faults): void {
  if (j.mode === 'replace') {
    if (existsSync(j.staging)) {
      if (existsSync(j.final)) {
        rmSync(j.old, { recursive: true, force: true });
        renameSync(j.final, j.old);
      }
      faults?.at('file-move-between');
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
  rmSync(journalPath(j.final), { force: true });
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
 * Before a run: finish any journaled move of `final`, then remove staging and old copies that a
 * crash left behind. Returns what was done, for the log.
 */
export function recoverOutput(final: string): string[] {
  const notes: string[] = [];
  const jp = journalPath(final);
  if (existsSync(jp) && statSync(jp).isFile()) {
    try {
      const j = JSON.parse(readFileSync(jp, 'utf8')) as MoveJournal;
      applyJournal(j);
      notes.push(`finished an interrupted move into ${final}`);
    } catch {
      rmSync(jp, { force: true });
    }
  }
  const dir = path.dirname(final);
  // A parent that is missing or not a folder has nothing to recover; the node itself then fails.
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return notes;
  const base = `.${path.basename(final)}.etlx-`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(base)) continue;
    const full = path.join(dir, name);
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
