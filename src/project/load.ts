import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseProjectConfig, PROJECT_FILE, type ProjectConfig } from '../config/project-config.js';
import { EtlxError } from '../errors/diagnostic.js';
import { readData, readText, walk, type DataFile, type TextFile } from './files.js';

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
}

/** etlx.yml, read and validated: the first step of every load. */
export function loadProjectConfig(projectDir: string): { root: string; config: ProjectConfig; text: string } {
  const root = path.resolve(projectDir);
  const projectFile = path.join(root, PROJECT_FILE);
  if (!existsSync(projectFile)) {
    throw new EtlxError({
      code: 'E_PROJECT_NOT_FOUND',
      message: `no ${PROJECT_FILE} in ${root}`,
      hint: 'run etlx inside a project folder, pass --project-dir, or create a project with etlx init',
    });
  }
  const text = readFileSync(projectFile, 'utf8');
  const { config, diagnostics } = parseProjectConfig(text);
  if (!config || diagnostics.length > 0) throw new EtlxError(diagnostics);
  return { root, config, text };
}

/** The absolute paths of every project file a load reads, by kind, each list sorted. */
export interface ProjectPaths {
  readonly models: readonly string[];
  readonly properties: readonly string[];
  readonly seeds: readonly string[];
  readonly tests: readonly string[];
  readonly macros: readonly string[];
}

export function projectPaths(root: string, config: ProjectConfig): ProjectPaths {
  const files = (dirs: readonly string[], exts: readonly string[]) => dirs.flatMap((d) => walk(root, d, exts));
  return {
    models: files(config.modelPaths, ['.sql']),
    properties: [...new Set(files([...config.modelPaths, ...config.seedPaths], ['.yml', '.yaml']))],
    seeds: files(config.seedPaths, ['.csv']),
    tests: files(config.testPaths, ['.sql']),
    macros: files(config.macroPaths, ['.sql']),
  };
}

export function loadProjectFiles(projectDir: string): ProjectFiles {
  const { root, config } = loadProjectConfig(projectDir);
  const paths = projectPaths(root, config);
  const texts = (list: readonly string[]) => list.map((f) => readText(root, f));
  return {
    root,
    config,
    models: texts(paths.models),
    properties: texts(paths.properties),
    seeds: paths.seeds.map((f) => readData(root, f)),
    tests: texts(paths.tests),
    macros: texts(paths.macros),
  };
}
