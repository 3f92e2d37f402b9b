import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../artifacts/json.js';
import type { TemplateCache } from '../template/cache.js';
import { IR_VERSION, type TemplateIR } from '../template/ir.js';

/** Bump when the IR shape changes: an old cache is then ignored, never misread. */
const CACHE_VERSION = 1;

/**
 * Parsed templates keyed by file checksum, kept in target/.cache so an unchanged project
 * recompiles without parsing. Only entries used by this compile are written back. It fits
 * template/'s `TemplateCache`.
 */
export class FileTemplateCache implements TemplateCache {
  private readonly entries = new Map<string, TemplateIR>();
  private readonly used = new Map<string, TemplateIR>();
  private dirty = false;

  constructor(private readonly file: string) {
    if (!existsSync(file)) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; entries?: Record<string, TemplateIR> };
      if (data.version !== CACHE_VERSION || !data.entries) return;
      // An IR from another etlx version may render differently: parse that file again.
      for (const [k, v] of Object.entries(data.entries)) if (v.version === IR_VERSION) this.entries.set(k, v);
    } catch {
      // A damaged cache is only a slower compile.
    }
  }

  static forTarget(targetDir: string): FileTemplateCache {
    return new FileTemplateCache(path.join(targetDir, '.cache', 'templates.json'));
  }

  get(checksum: string): TemplateIR | undefined {
    const hit = this.entries.get(checksum);
    if (hit) this.used.set(checksum, hit);
    return hit;
  }

  set(checksum: string, ir: TemplateIR): void {
    this.used.set(checksum, ir);
    this.dirty = true;
  }

  /** Writes the cache when something was added or an entry went unused. */
  save(): void {
    if (!this.dirty && this.used.size === this.entries.size) return;
    writeFileAtomic(this.file, JSON.stringify({ version: CACHE_VERSION, entries: Object.fromEntries(this.used) }));
  }
}
