import path from 'node:path';
import type { RawSeedProperties } from '../config/schemas.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { ProjectFiles } from '../project/load.js';
import { foldersOf, seedConfigOf } from './config-merge.js';
import { didYouMeanSuffix } from './dependencies.js';
import { idOf, type SeedNode } from './nodes.js';
import { columnsOf, unrenderedConfig, type PropertyEntry } from './properties.js';

/**
 * One node per seeds/**\/*.csv file. A seed may not share its name with a model file: ref()
 * names either.
 */
export function parseSeeds(
  files: ProjectFiles,
  properties: ReadonlyMap<string, PropertyEntry<RawSeedProperties>>,
  modelFiles: ReadonlyMap<string, string>,
  diagnostics: Diagnostic[],
): Map<string, SeedNode> {
  const project = files.config.name;
  const seeds = new Map<string, SeedNode>();
  for (const f of files.seeds) {
    const name = path.posix.basename(f.path, '.csv');
    if (seeds.has(name)) {
      diagnostics.push({ code: 'E_DUPLICATE_NAME', message: `two seeds are named "${name}": ${seeds.get(name)!.path} and ${f.path}`, file: f.path, hint: 'rename one file' });
      continue;
    }
    if (modelFiles.has(name)) {
      diagnostics.push({
        code: 'E_DUPLICATE_NAME',
        message: `seed ${f.path} and model ${modelFiles.get(name)} share the name "${name}"`,
        file: f.path,
        hint: 'ref() could not tell them apart; rename the seed or the model',
      });
      continue;
    }
    const entry = properties.get(name);
    const config = seedConfigOf(files.config, foldersOf(f.path, files.config.seedPaths), name, entry?.props.config);
    const description = entry?.props.description ?? undefined;
    seeds.set(name, {
      resourceType: 'seed',
      id: idOf.seed(project, name),
      name,
      path: f.path,
      absPath: f.absPath,
      packageName: project,
      checksum: f.checksum,
      config,
      ...(entry?.written ? { unrendered: unrenderedConfig(entry, config)! } : {}),
      tags: config.tags,
      ...(description !== undefined ? { description } : {}),
      columns: columnsOf(entry?.props.columns),
    });
  }
  for (const [name, entry] of properties) {
    if (seeds.has(name)) continue;
    const loc = entry.yaml.locate([...entry.at, 'name']);
    diagnostics.push({
      code: 'E_PROPERTIES_UNKNOWN_SEED',
      message: `properties for seed "${name}", but there is no seeds/${name}.csv${didYouMeanSuffix(name, seeds.keys())}`,
      file: entry.yaml.file,
      line: loc?.line,
      column: loc?.column,
      hint: 'fix the name, or remove the entry',
    });
  }
  return seeds;
}
