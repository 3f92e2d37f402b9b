import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseProjectConfig, PROJECT_FILE, type ProjectConfig } from '../config/project-config.js';
import { EtlxError } from '../errors/diagnostic.js';
import { readConfigText, readData, readText, sha1, walk, type DataFile, type TextFile } from './files.js';

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
  /** sha1 of etlx.yml's text as read (the unchanged-project fingerprint's). */
  readonly configChecksum?: string;
  /** Each file's stamp (files.ts `fileStamp`) by absolute path, taken before it was read. */
  readonly stamps?: ReadonlyMap<string, string>;
}

/** Every project file a load reads, by kind, as absolute paths, each list sorted. */
export interface ProjectPaths {
  readonly models: readonly string[];
  readonly properties: readonly string[];
  readonly seeds: readonly string[];
  readonly tests: readonly string[];
  readonly macros: readonly string[];
  readonly snapshots: readonly string[];
}

export type FileKind = keyof ProjectPaths;
export const FILE_KINDS: readonly FileKind[] = ['models', 'properties', 'seeds', 'tests', 'macros', 'snapshots'];

/** The files of one kind (the same walk for a load and for the fingerprint). */
export function kindPaths(root: string, config: ProjectConfig, kind: FileKind): string[] {
  const files = (dirs: readonly string[], exts: readonly string[]) => dirs.flatMap((d) => walk(root, d, exts));
  switch (kind) {
    case 'models':
      return files(config.modelPaths, ['.sql']);
    case 'properties':
      // A folder in two lists (model-paths and seed-paths) is read once.
      return [...new Set(files([...config.modelPaths, ...config.seedPaths, ...config.snapshotPaths], ['.yml', '.yaml']))];
    case 'seeds':
      return files(config.seedPaths, ['.csv']);
    case 'tests':
      return files(config.testPaths, ['.sql']);
    case 'macros':
      return files(config.macroPaths, ['.sql']);
    case 'snapshots':
      return files(config.snapshotPaths, ['.sql']);
  }
}

/** etlx.yml's path, text and parsed config: the first step of every load. */
export function loadProjectConfig(projectDir: string): { root: string; text: string; config: ProjectConfig } {
  const root = path.resolve(projectDir);
  const projectFile = path.join(root, PROJECT_FILE);
  if (!existsSync(projectFile)) {
    throw new EtlxError({
      code: 'E_PROJECT_NOT_FOUND',
      message: `no ${PROJECT_FILE} in ${root}`,
      hint: 'run etlx inside a project folder, pass --project-dir, or create a project with etlx init',
    });
  }
  const text = readConfigText(root, projectFile);
  const { config, diagnostics } = parseProjectConfig(text);
  if (!config || diagnostics.length > 0) throw new EtlxError(diagnostics);
  return { root, text, config };
}

export function loadProjectFiles(projectDir: string): ProjectFiles {
  const { root, text, config } = loadProjectConfig(projectDir);
  const stamps = new Map<string, string>();
  // Kind by kind, each walked then read, so the first problem reported is the same as always.
  const texts = (kind: FileKind) => kindPaths(root, config, kind).map((f) => readText(root, f, stamps));
  return {
    root,
    config,
    models: texts('models'),
    properties: texts('properties'),
    seeds: kindPaths(root, config, 'seeds').map((f) => readData(root, f, stamps)),
    tests: texts('tests'),
    macros: texts('macros'),
    snapshots: texts('snapshots'),
    configChecksum: sha1(text),
    stamps,
  };
}
