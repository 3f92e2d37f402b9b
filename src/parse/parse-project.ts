import path from 'node:path';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { Dag } from '../graph/dag.js';
import type { ProjectFiles } from '../project/load.js';
import { Dependencies } from './dependencies.js';
import { parseMacros, type Macro } from './macros.js';
import { parseModels } from './models.js';
import type { ModelNode, Node, SeedNode, SnapshotNode, SourceNode, TestNode, UnitTestNode } from './nodes.js';
import { parseProperties, seedEntriesFromModels } from './properties.js';
import type { PropertyValueContext } from './property-values.js';
import { parseSeeds } from './seeds.js';
import { parseSnapshots } from './snapshots.js';
import { parseUnitTests } from './unit-tests.js';
import { parseSources } from './sources.js';
import type { TemplateCache } from '../template/cache.js';
import { parseTests } from './tests.js';

/** The project as nodes and a DAG: no SQL rendered yet. */
export interface ParsedProject {
  readonly name: string;
  readonly root: string;
  readonly files: ProjectFiles;
  readonly nodes: ReadonlyMap<string, Node>;
  readonly models: ReadonlyMap<string, ModelNode>;
  readonly seeds: ReadonlyMap<string, SeedNode>;
  readonly sources: ReadonlyMap<string, SourceNode>;
  readonly tests: ReadonlyMap<string, TestNode>;
  readonly snapshots: ReadonlyMap<string, SnapshotNode>;
  readonly unitTests: ReadonlyMap<string, UnitTestNode>;
  readonly macros: ReadonlyMap<string, Macro>;
  /** Edges: parent -> child, for every node kind (source/seed/model -> model -> test). */
  readonly dag: Dag;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Turns loaded files into nodes: templates parsed, configs resolved, properties and tests
 * attached, dependencies checked, and the DAG built. Pure: all input comes from `files`.
 * Every step adds to one diagnostics list, so all problems are reported at once, in this order.
 */
export function parseProject(files: ProjectFiles, cache?: TemplateCache, values?: PropertyValueContext): ParsedProject {
  const diagnostics: Diagnostic[] = [];
  // Macros first: models record which ones they use.
  const macros = parseMacros(files, cache, diagnostics);
  const names = (list: readonly { path: string }[], ext: string) => new Set(list.map((f) => path.posix.basename(f.path, ext)));
  const properties = seedEntriesFromModels(parseProperties(files.properties, diagnostics, values), names(files.models, '.sql'), names(files.seeds, '.csv'), diagnostics);
  const { models, files: modelFiles } = parseModels(files, properties.models, macros, cache, diagnostics);
  const seeds = parseSeeds(files, properties.seeds, modelFiles, diagnostics);
  const taken = new Map<string, string>([...modelFiles, ...[...seeds.values()].map((x) => [x.name, x.path] as const)]);
  const snapshots = parseSnapshots(files, properties.snapshots, taken, macros, cache, diagnostics);
  const { sources, tests: sourceTests } = parseSources(files.config.name, files.root, properties.sources, diagnostics);
  const dependencies = new Dependencies({ models, seeds, sources, macros, snapshots }, diagnostics);
  dependencies.checkModels(files.config.macroPaths);
  const tests = parseTests({ files, properties, models, seeds, snapshots, sourceTests, macros, dependencies, cache }, diagnostics);
  const unitTests = parseUnitTests({ project: files.config.name, entries: properties.unitTests, models, seeds, snapshots, sources }, diagnostics);
  const { nodes, dag } = dependencies.graph(tests, unitTests);
  return { name: files.config.name, root: files.root, files, nodes, models, seeds, sources, tests, snapshots, unitTests, macros, dag, diagnostics };
}
