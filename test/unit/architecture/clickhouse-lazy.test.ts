import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * @clickhouse/client is loaded only when a ClickHouse target is opened: engine/clickhouse/ is the
 * only importer of the client, and the rest of src/ reaches that folder through dynamic
 * import() alone (esbuild keeps such a module's initialisation lazy in the bundle), so
 * `--version`, `ls` and DuckDB runs never load it.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('the ClickHouse client loads lazily', () => {
  const files = sourceFiles(SRC).map((f) => ({ rel: path.relative(SRC, f).split(path.sep).join('/'), text: readFileSync(f, 'utf8') }));

  it('only engine/clickhouse/ imports @clickhouse/client', () => {
    const importers = files.filter((f) => /from ['"]@clickhouse\/client['"]|import\(['"]@clickhouse\/client['"]\)/.test(f.text)).map((f) => f.rel);
    expect(importers.length).toBeGreaterThan(0);
    for (const f of importers) expect(f.startsWith('engine/clickhouse/'), f).toBe(true);
  });

  it('outside engine/clickhouse/, its modules are reached only through import()', () => {
    const staticImports = files
      .filter((f) => !f.rel.startsWith('engine/clickhouse/'))
      .filter((f) => /(?:^|\n)\s*import\s+(?!type\b)[^'";]*from\s*['"][^'"]*clickhouse\/(?:clickhouse|lock|errors)\.js['"]/.test(f.text))
      .map((f) => f.rel);
    expect(staticImports).toEqual([]);
    const dynamic = files.filter((f) => /import\(['"]\.\/clickhouse\/clickhouse\.js['"]\)/.test(f.text)).map((f) => f.rel);
    expect(dynamic).toEqual(['engine/open.ts']);
  });
});
