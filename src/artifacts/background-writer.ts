import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Secrets } from '../util/redact.js';

/**
 * Writes the per-node artifact files of a run (target/run). Each file is written synchronously
 * when the node finishes: measured in CPU time (what counts on a shared 2-core machine), a
 * synchronous write costs less than fs.promises' open/write/close round trips on libuv's pool,
 * which saved only wall time while the main thread waited for DuckDB. A failure never fails the
 * run: it is reported at the end. Every text is redacted on its way out.
 */
export class BackgroundWriter {
  constructor(private readonly secrets: Secrets) {}

  private readonly dirs = new Set<string>();
  private readonly failures: string[] = [];

  write(file: string, text: string): void {
    try {
      const dir = path.dirname(file);
      if (!this.dirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.dirs.add(dir);
      }
      writeFileSync(file, this.secrets.redact(text));
    } catch (e) {
      this.failures.push(`${file}: ${(e as Error).message}`);
    }
  }

  /** Returns the writes that failed (artifacts never fail a run). */
  async flush(): Promise<string[]> {
    return [...this.failures];
  }
}
