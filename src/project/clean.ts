import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadProjectFiles } from './load.js';
import { EtlxError } from '../errors/diagnostic.js';

/** Removes target/ (and nothing else: the embedded warehouse lives outside it). */
export function clean(projectDir: string): string[] {
  const files = loadProjectFiles(projectDir);
  const target = path.resolve(files.root, files.config.targetPath);
  if (!target.startsWith(files.root + path.sep)) {
    throw new EtlxError({ code: 'E_CLEAN', message: `refusing to remove ${target}: it is outside the project`, hint: 'set target-path to a folder inside the project' });
  }
  rmSync(target, { recursive: true, force: true });
  return [path.relative(files.root, target)];
}
