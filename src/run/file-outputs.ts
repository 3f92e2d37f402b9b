import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/json.js';
import type { OutputFiles } from '../materialize/types.js';
import { OUTPUTS_DIR } from '../plan/output-checks.js';
import { stagingPath } from '../materialize/file.js';
import { commitOutput, currentOwner, MoveRefused, recoverOutput } from './file-moves.js';
import { recordBeforeMove, settleRecord } from './file-ownership.js';
import type { Faults } from './faults.js';

/**
 * The file system side of file models, injected into materialize/file.ts. Under --atomic the
 * moves into place wait for the run's COMMIT (`commitPending`), or are dropped on rollback.
 *
 * Staging copies live in the project's `.etlx-outputs/staging/`, outside the folder that holds
 * the dataset, so no reader's glob over that folder (even `**`, which in DuckDB matches
 * dot-folders) sees them; it is on the same file system as the dataset, so the move is a rename.
 * A location on another file system (outside the project, with allow_outside_project) stages in
 * a `.etlx-staging` folder beside the dataset instead.
 */
export class FileOutputs implements OutputFiles {
  private readonly pending: { mode: 'replace' | 'add'; final: string; staging: string }[] = [];

  constructor(
    private readonly faults: Faults,
    private readonly tag: string,
    private readonly deferCommit: boolean,
    private readonly root: string,
  ) {}

  /** The staging folder for a dataset at `final`. */
  stagingDir(final: string): string {
    const inProject = path.join(this.root, OUTPUTS_DIR, 'staging');
    return sameDevice(this.root, path.dirname(final)) ? inProject : path.join(path.dirname(final), '.etlx-staging');
  }

  stagingPath(final: string, stagingId: string): string {
    return stagingPath(this.stagingDir(final), final, stagingId);
  }

  hasFiles(dir: string): boolean {
    return existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).length > 0;
  }

  /** The owner file goes first: a staging copy is never seen without the PID that is writing it. */
  prepareStaging(staging: string, asFolder: boolean): void {
    writeFileAtomic(`${staging}.owner.json`, JSON.stringify(currentOwner()));
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(path.dirname(staging), { recursive: true });
    if (asFolder) mkdirSync(staging, { recursive: true });
  }

  discard(staging: string): void {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${staging}.owner.json`, { force: true });
  }

  commit(mode: 'replace' | 'add', final: string, staging: string): void {
    this.faults.at('after-copy');
    if (this.deferCommit) this.pending.push({ mode, final, staging });
    else this.move(mode, final, staging);
  }

  private move(mode: 'replace' | 'add', final: string, staging: string): void {
    const blocked = fileInTheWay(path.dirname(final));
    if (blocked) {
      this.discard(staging);
      throw new Error(`ENOTDIR: not a directory: ${blocked} is a file, so the folder for ${final} cannot be created`);
    }
    if (existsSync(staging)) recordBeforeMove(this.root, final, staging);
    try {
      commitOutput(mode, final, staging, this.tag, this.faults, this.stagingDir(final));
    } catch (e) {
      if (e instanceof MoveRefused) rmSync(staging, { recursive: true, force: true });
      throw e;
    } finally {
      rmSync(`${staging}.owner.json`, { force: true });
    }
    settleRecord(this.root, final);
  }

  commitPending(): void {
    for (const f of this.pending) this.move(f.mode, f.final, f.staging);
  }

  /** Staged outputs waiting for the run's COMMIT that are gone (another process removed them). */
  missingPending(): string[] {
    return this.pending.filter((f) => !existsSync(f.staging)).map((f) => f.final);
  }

  discardPending(): void {
    for (const f of this.pending) this.discard(f.staging);
  }

  /** Finishes or discards what a dead process left around `final`; returns notes for the log. */
  recover(final: string): string[] {
    return recoverOutput(final, this.stagingDir(final));
  }
}

/** The nearest existing ancestor of `dir` (itself included) when it is not a folder. */
function fileInTheWay(dir: string): string | undefined {
  let d = dir;
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  return existsSync(d) && !statSync(d).isDirectory() ? d : undefined;
}

/** Whether `dir` (or its nearest existing ancestor) is on the file system of `root`. */
function sameDevice(root: string, dir: string): boolean {
  let d = dir;
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  try {
    return statSync(d).dev === statSync(root).dev;
  } catch {
    return true;
  }
}
