import path from 'node:path';
import { parseProjectConfig } from '../../../src/config/project-config.js';
import { compileProject, type CompileContext, type CompiledProject } from '../../../src/compile/compile.js';
import { parseProject, type ParsedProject } from '../../../src/parse/parse-project.js';
import type { Diagnostic } from '../../../src/errors/diagnostic.js';
import { sha1, type DataFile, type TextFile } from '../../../src/project/files.js';
import type { ProjectFiles } from '../../../src/project/load.js';

/** Where in-memory projects pretend to live; absolute so file readers render like on disk. */
export const ROOT = path.resolve('/virtual/proj');

const DEFAULT_PROJECT = 'name: proj\n';

/**
 * Builds the ProjectFiles that `loadProjectFiles` would return for these files, without a disk.
 * Keys are project-relative posix paths; `etlx.yml` defaults to `name: proj`. Files are sorted by
 * path like the loader sorts them.
 */
export function memoryProject(files: Readonly<Record<string, string>>, root = ROOT): ProjectFiles {
  const { config, diagnostics } = parseProjectConfig(files['etlx.yml'] ?? DEFAULT_PROJECT);
  if (!config || diagnostics.length > 0) throw new Error(`bad etlx.yml in test: ${JSON.stringify(diagnostics)}`);
  const under = (dirs: readonly string[], exts: readonly string[]) =>
    Object.keys(files)
      .filter((p) => dirs.some((d) => p.startsWith(`${d.replace(/\/$/, '')}/`)) && exts.some((x) => p.endsWith(x)))
      .sort();
  const text = (p: string): TextFile => ({ path: p, absPath: path.join(root, p), text: files[p]!, checksum: sha1(files[p]!) });
  const data = (p: string): DataFile => ({ path: p, absPath: path.join(root, p), checksum: sha1(files[p]!) });
  const props = [...new Set(under([...config.modelPaths, ...config.seedPaths, ...config.snapshotPaths], ['.yml', '.yaml']))];
  return {
    root,
    config,
    models: under(config.modelPaths, ['.sql']).map(text),
    properties: props.map(text),
    seeds: under(config.seedPaths, ['.csv']).map(data),
    tests: under(config.testPaths, ['.sql']).map(text),
    macros: under(config.macroPaths, ['.sql']).map(text),
    snapshots: under(config.snapshotPaths, ['.sql']).map(text),
  };
}

export const DEV_CONTEXT: CompileContext = {
  target: { name: 'dev', schema: 'main', profile: 'proj', threads: 4 },
  vars: {},
  env: {},
};

export function context(over: Partial<CompileContext> = {}): CompileContext {
  return { ...DEV_CONTEXT, ...over };
}

export function parse(files: Readonly<Record<string, string>>): ParsedProject {
  return parseProject(memoryProject(files));
}

/** Parses and compiles; fails the test with the diagnostics if parsing reported errors. */
export function compileOk(files: Readonly<Record<string, string>>, ctx: Partial<CompileContext> = {}): { project: ParsedProject; compiled: CompiledProject } {
  const project = parse(files);
  const errors = project.diagnostics.filter((d) => d.severity !== 'warn');
  if (errors.length > 0) throw new Error(`unexpected diagnostics: ${JSON.stringify(errors, null, 2)}`);
  const compiled = compileProject(project, context(ctx));
  if (compiled.diagnostics.length > 0) throw new Error(`unexpected render diagnostics: ${JSON.stringify(compiled.diagnostics, null, 2)}`);
  return { project, compiled };
}

/** The compiled SQL of a model (or any node) by name. */
export function sqlOf(project: ParsedProject, compiled: CompiledProject, name: string, kind: 'model' | 'test' = 'model'): string {
  const id = `${kind}.${project.name}.${name}`;
  const c = compiled.nodes.get(id);
  if (!c) throw new Error(`no compiled node ${id}; have ${[...compiled.nodes.keys()].join(', ')}`);
  return c.sql;
}

/** Diagnostics from parsing, then (when parsing found none) from rendering. */
export function diagnosticsOf(files: Readonly<Record<string, string>>, ctx: Partial<CompileContext> = {}): Diagnostic[] {
  const project = parse(files);
  if (project.diagnostics.length > 0) return [...project.diagnostics];
  return [...compileProject(project, context(ctx)).diagnostics];
}

export function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.code);
}
