import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChecksumCache } from '../project/checksum-cache.js';
import { sha1 } from '../project/files.js';
import type { Secrets } from '../util/redact.js';

/**
 * Writes the per-node artifact files of a run (target/run). Each file is written synchronously
 * when the node finishes: measured in CPU time (what counts on a shared 2-core machine), a
 * synchronous write costs less than fs.promises' open/write/close round trips on libuv's pool,
 * which saved only wall time while the main thread waited for DuckDB. A failure never fails the
 * run: it is reported at the end. Every text is redacted on its way out. With `unchanged`, a file
 * already on disk with the same text is left alone (a nightly run mostly rewrites the same SQL:
 * 200 rewrites took 170 ms of CPU on a loaded machine).
 */
export class BackgroundWriter {
  constructor(private readonly secrets: Secrets, private readonly unchanged?: ChecksumCache) {}

  private readonly dirs = new Set<string>();
  private readonly failures: string[] = [];

  write(file: string, text: string): void {
    try {
      const dir = path.dirname(file);
      if (!this.dirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.dirs.add(dir);
      }
      const out = this.secrets.redact(text);
      if (this.unchanged?.same(file, sha1(out)) && existsSync(file)) return;
      writeFileSync(file, out);
    } catch (e) {
      this.unchanged?.forget(file);
      this.failures.push(`${file}: ${(e as Error).message}`);
    }
  }

  /** Returns the writes that failed (artifacts never fail a run). */
  async flush(): Promise<string[]> {
    try {
      this.unchanged?.save();
    } catch {
      // Losing the cache only costs time next run.
    }
    return [...this.failures];
  }
}
