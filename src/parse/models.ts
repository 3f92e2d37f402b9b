import path from 'node:path';
import type { RawModelProperties } from '../config/schemas.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { ProjectFiles } from '../project/load.js';
import { foldersOf, materializationOf, modelConfigOf } from './config-merge.js';
import { didYouMeanSuffix } from './dependencies.js';
import { macrosUsed, type Macro } from './macros.js';
import { idOf, type ModelNode } from './nodes.js';
import { columnsOf, unrenderedConfig, type PropertyEntry } from './properties.js';
import type { TemplateCache } from '../template/cache.js';
import { parseTemplateFile } from './templates.js';

export interface ParsedModels {
  readonly models: ReadonlyMap<string, ModelNode>;
  /**
   * Every model file by name, also those left out for a config error: a seed must not take the
   * name of one, and its properties entry is not an unknown model.
   */
  readonly files: ReadonlyMap<string, string>;
}

/** One node per models/**\/*.sql file, its config merged and its properties entry attached. */
export function parseModels(
  files: ProjectFiles,
  properties: ReadonlyMap<string, PropertyEntry<RawModelProperties>>,
  macros: ReadonlyMap<string, Macro>,
  cache: TemplateCache | undefined,
  diagnostics: Diagnostic[],
): ParsedModels {
  const project = files.config.name;
  const models = new Map<string, ModelNode>();
  const modelFiles = new Map<string, string>();
  for (const f of files.models) {
    const name = path.posix.basename(f.path, '.sql');
    const prevFile = modelFiles.get(name);
    if (prevFile) {
      diagnostics.push({
        code: 'E_DUPLICATE_NAME',
        message: `two models are named "${name}": ${prevFile} and ${f.path}`,
        file: f.path,
        line: 1,
        hint: 'model names are file names and must be unique across the project; rename one file',
      });
      continue;
    }
    modelFiles.set(name, f.path);
    const ir = parseTemplateFile(f, cache, diagnostics, { noBareThis: true });
    const folders = foldersOf(f.path, files.config.modelPaths);
    const entry = properties.get(name);
    const { config, strategyExplicit } = modelConfigOf(files.config, folders, name, entry?.props.config, ir.config, f.path, diagnostics);
    const description = entry?.props.description ?? config.description;
    const { spec, problems } = materializationOf(name, config, files.root, strategyExplicit);
    for (const p of problems) {
      const use = ir.config.find((c) => c.key === p.key) ?? ir.config[0];
      diagnostics.push({ code: 'E_CONFIG_VALUE', message: `model ${name}: ${p.message}`, file: f.path, line: use?.line ?? 1, column: use?.col, hint: p.hint });
    }
    if (!spec) continue;
    models.set(name, {
      resourceType: 'model',
      id: idOf.model(project, name),
      name,
      path: f.path,
      absPath: f.absPath,
      packageName: project,
      raw: f.text,
      checksum: f.checksum,
      ir,
      config,
      ...withUnrendered(unrenderedConfig(entry, config)),
      mat: spec,
      ...(spec.kind === 'incremental' && !strategyExplicit ? { strategyDefaulted: true as const } : {}),
      tags: config.tags,
      ...(description !== undefined ? { description } : {}),
      columns: columnsOf(entry?.props.columns),
      macros: macrosUsed(ir, macros),
      fqn: folders,
    });
  }
  for (const [name, entry] of properties) {
    if (modelFiles.has(name)) continue;
    const loc = entry.yaml.locate([...entry.at, 'name']);
    diagnostics.push({
      code: 'E_PROPERTIES_UNKNOWN_MODEL',
      message: `properties for model "${name}", but there is no models/**/${name}.sql${didYouMeanSuffix(name, modelFiles.keys())}`,
      file: entry.yaml.file,
      line: loc?.line,
      column: loc?.column,
      hint: 'fix the name, or remove the entry',
    });
  }
  return { models, files: modelFiles };
}

function withUnrendered(u: Record<string, unknown> | undefined): { unrendered?: Record<string, unknown> } {
  return u ? { unrendered: u } : {};
}
