import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p` that always returns. Node's `mkdirSync(dir, {recursive: true})` never returns when
 * mkdir fails with ENOENT although the parent exists (it does under /proc): it creates the
 * parent, gets EEXIST, and retries the child forever at 100% CPU. This creates the missing
 * folders one level at a time and throws the first error (an ErrnoException with its `code`).
 * Returns the first folder it created, or undefined when `dir` already existed.
 */
export function makeDirs(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (exists(d)) break;
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      // Someone else made it meanwhile: fine, as long as it is a folder.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw e;
    }
  }
  return missing[0];
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
