import { lstatSync, readdirSync, rmSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isTargetOutputName } from '../artifacts/target-dir.js';
import { loadProjectFiles, type ProjectFiles } from './load.js';
import { EtlxError, type DiagnosticCode } from '../errors/diagnostic.js';

/** Entries named in a refusal before "and N more". */
const SHOWN = 5;

/**
 * Removes the target folder (target/ by default), and only when it holds nothing but etlx's own
 * output: a `target-path` of `models` deleted every model. Refuses (exit 2) a target that is the
 * project folder, is outside it, holds or is a project folder or file, is not a folder, or holds
 * anything etlx did not write. The embedded warehouse lives outside target/, so it stays.
 */
export function clean(projectDir: string): string[] {
  const files = loadProjectFiles(projectDir);
  const root = files.root;
  const shown = files.config.targetPath;
  const target = path.resolve(root, shown);
  const refuse = (code: DiagnosticCode, why: string, hint: string): never => {
    throw new EtlxError({ code, message: `refusing to remove ${target} (target-path: ${shown}): ${why}`, file: 'etlx.yml', hint });
  };
  const setIt = 'set target-path in etlx.yml to a folder only etlx writes (default: target)';
  if (target === root) refuse('E_CLEAN_PROJECT_ROOT', 'it is the project folder', setIt);
  if (!isInside(target, root)) refuse('E_CLEAN_OUTSIDE', 'it is outside the project', 'set target-path to a folder inside the project');
  for (const [what, p] of projectPaths(files)) {
    const abs = path.resolve(root, p);
    if (isInside(abs, target)) refuse('E_CLEAN_PROJECT_FOLDER', `it ${abs === target ? 'is' : 'holds'} the project's ${what} ${p}`, setIt);
  }
  let st: Stats;
  try {
    st = lstatSync(target);
  } catch {
    return [path.relative(root, target)];
  }
  if (!st.isDirectory()) refuse('E_CLEAN_NOT_A_FOLDER', `it is not a folder etlx made (${st.isSymbolicLink() ? 'a symbolic link' : 'a file'})`, setIt);
  const foreign = readdirSync(target).filter((name) => !isTargetOutputName(name)).sort();
  if (foreign.length > 0) {
    const list = foreign.slice(0, SHOWN).join(', ') + (foreign.length > SHOWN ? ` and ${foreign.length - SHOWN} more` : '');
    refuse('E_CLEAN_FOREIGN_FILES', `it holds files etlx did not write: ${list}`, `move those out of ${shown}/ (or remove them yourself), or ${setIt}`);
  }
  rmSync(target, { recursive: true, force: true });
  return [path.relative(root, target)];
}

/** Whether `p` is `dir` or inside it. */
function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The project's own folders and files, which a target folder must never hold. */
function projectPaths(files: ProjectFiles): [string, string][] {
  const c = files.config;
  // snapshot-paths is read when the config has it; `snapshots` is its default either way.
  const snapshots = (c as { readonly snapshotPaths?: readonly string[] }).snapshotPaths ?? ['snapshots'];
  return [
    ['project file', 'etlx.yml'],
    ...c.modelPaths.map((p): [string, string] => ['model path', p]),
    ...c.seedPaths.map((p): [string, string] => ['seed path', p]),
    ...c.testPaths.map((p): [string, string] => ['test path', p]),
    ...c.macroPaths.map((p): [string, string] => ['macro path', p]),
    ...snapshots.map((p): [string, string] => ['snapshot path', p]),
  ];
}
