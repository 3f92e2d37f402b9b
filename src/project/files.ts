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
      const full = path.join(d, e.name);
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

export function readData(root: string, absPath: string): DataFile {
  return { path: toPosix(path.relative(root, absPath)), absPath, checksum: sha1(readFileSync(absPath)) };
}
