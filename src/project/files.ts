import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A text file of the project, read once. `path` is project-relative with forward slashes. */
export interface TextFile {
  readonly path: string;
  readonly absPath: string;
  readonly text: string;
  readonly checksum: string;
}

/** A file whose contents etlx does not read itself (seeds: DuckDB reads them). */
export interface DataFile {
  readonly path: string;
  readonly absPath: string;
  readonly checksum: string;
}

export function sha1(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Every file under `dir` (recursively) whose name ends with one of `exts`, sorted by path. */
export function walk(root: string, dir: string, exts: readonly string[]): string[] {
  const abs = path.resolve(root, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  const visit = (d: string) => {
    const entries = readdirSync(d, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      // `d` is already normalized and a name holds no separator: path.join's normalization
      // is most of a 10,000-file walk.
      const full = d.endsWith(path.sep) ? `${d}${e.name}` : `${d}${path.sep}${e.name}`;
      if (e.isDirectory()) visit(full);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(full);
    }
  };
  if (statSync(abs).isDirectory()) visit(abs);
  return out.sort();
}

export function readText(root: string, absPath: string): TextFile {
  const text = readFileSync(absPath, 'utf8');
  return { path: toPosix(path.relative(root, absPath)), absPath, text, checksum: sha1(text) };
}

/** Above this size a data file's checksum is its size, as dbt does for large seeds (with the path). */
export const HASHED_DATA_LIMIT = 1024 * 1024;

/**
 * A seed's identity for state:modified. Small files are hashed; hashing a large one would read
 * it all on every invocation (a 40 MB seed took about 80 ms), so its size stands in: an edit that
 * keeps the size exactly is then not seen as a change.
 */
export function readData(root: string, absPath: string): DataFile {
  const size = statSync(absPath).size;
  const checksum = size > HASHED_DATA_LIMIT ? `size:${size}` : sha1(readFileSync(absPath));
  return { path: toPosix(path.relative(root, absPath)), absPath, checksum };
}

/** The manifest's checksum entry: dbt's `{name, checksum}` shape. */
export function checksumEntry(checksum: string): { name: string; checksum: string } {
  return checksum.startsWith('size:') ? { name: 'size', checksum: checksum.slice(5) } : { name: 'sha1', checksum };
}
