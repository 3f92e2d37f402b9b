import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { OutputFiles } from '../materialize/types.js';
import { commitOutput, recoverOutput } from './file-moves.js';
import type { Faults } from './faults.js';

/**
 * The file system side of file models, injected into materialize/file.ts. Under --atomic the
 * moves into place wait for the run's COMMIT (`commitPending`), or are dropped on rollback.
 */
export class FileOutputs implements OutputFiles {
  private readonly pending: { mode: 'replace' | 'add'; final: string; staging: string }[] = [];

  constructor(
    private readonly faults: Faults,
    private readonly tag: string,
    private readonly deferCommit: boolean,
  ) {}

  hasFiles(dir: string): boolean {
    return existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).length > 0;
  }

  prepareStaging(staging: string, asFolder: boolean): void {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(path.dirname(staging), { recursive: true });
    if (asFolder) mkdirSync(staging, { recursive: true });
  }

  discard(staging: string): void {
    rmSync(staging, { recursive: true, force: true });
  }

  commit(mode: 'replace' | 'add', final: string, staging: string): void {
    this.faults.at('after-copy');
    if (this.deferCommit) this.pending.push({ mode, final, staging });
    else commitOutput(mode, final, staging, this.tag, this.faults);
  }

  commitPending(): void {
    for (const f of this.pending) commitOutput(f.mode, f.final, f.staging, this.tag, this.faults);
  }

  discardPending(): void {
    for (const f of this.pending) this.discard(f.staging);
  }

  /** Finishes or discards what an interrupted run left around `final`; returns notes for the log. */
  recover(final: string): string[] {
    return recoverOutput(final);
  }
}
