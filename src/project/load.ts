import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseProjectConfig, PROJECT_FILE, type ProjectConfig } from '../config/project-config.js';
import { EtlxError } from '../errors/diagnostic.js';
import { readConfigText, readData, readText, walk, type DataFile, type TextFile } from './files.js';

/**
 * Everything read from disk for one invocation. `load` is the only stage that reads project
 * files; everything after it works on this value.
 */
export interface ProjectFiles {
  readonly root: string;
  readonly config: ProjectConfig;
  readonly models: readonly TextFile[];
  readonly properties: readonly TextFile[];
  readonly seeds: readonly DataFile[];
  readonly tests: readonly TextFile[];
  readonly macros: readonly TextFile[];
  readonly snapshots: readonly TextFile[];
}

export function loadProjectFiles(projectDir: string): ProjectFiles {
  const root = path.resolve(projectDir);
  const projectFile = path.join(root, PROJECT_FILE);
  if (!existsSync(projectFile)) {
    throw new EtlxError({
      code: 'E_PROJECT_NOT_FOUND',
      message: `no ${PROJECT_FILE} in ${root}`,
      hint: 'run etlx inside a project folder, pass --project-dir, or create a project with etlx init',
    });
  }
  const { config, diagnostics } = parseProjectConfig(readConfigText(root, projectFile));
  if (!config || diagnostics.length > 0) throw new EtlxError(diagnostics);
  const texts = (dirs: readonly string[], exts: readonly string[]) =>
    dirs.flatMap((d) => walk(root, d, exts)).map((f) => readText(root, f));
  const yamlExts = ['.yml', '.yaml'];
  return {
    root,
    config,
    models: texts(config.modelPaths, ['.sql']),
    properties: dedupe(texts([...config.modelPaths, ...config.seedPaths, ...config.snapshotPaths], yamlExts)),
    seeds: config.seedPaths.flatMap((d) => walk(root, d, ['.csv'])).map((f) => readData(root, f)),
    tests: texts(config.testPaths, ['.sql']),
    macros: texts(config.macroPaths, ['.sql']),
    snapshots: texts(config.snapshotPaths, ['.sql']),
  };
}

function dedupe(files: TextFile[]): TextFile[] {
  const seen = new Set<string>();
  return files.filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)));
}
