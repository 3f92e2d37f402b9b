import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A file etlx ships, found from the module asking for it. The same source runs as tsc's output
 * (dist/<folder>/<module>.js) and inside the one-file bundle (dist/etlx.cjs, where
 * `import.meta.url` is the bundle's), so the caller lists the relative path for each; the first
 * that exists wins, else the first.
 */
export function shippedPath(moduleUrl: string, candidates: readonly string[]): string {
  const paths = candidates.map((c) => fileURLToPath(new URL(c, moduleUrl)));
  return paths.find((p) => existsSync(p)) ?? paths[0]!;
}
