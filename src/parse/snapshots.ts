import path from 'node:path';
import type { RawSnapshotProperties } from '../config/schemas.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { ProjectFiles } from '../project/load.js';
import type { TemplateCache } from '../template/cache.js';
import { foldersOf, snapshotConfigOf } from './config-merge.js';
import { didYouMeanSuffix } from './dependencies.js';
import { macrosUsed, type Macro } from './macros.js';
import { idOf, type SnapshotNode } from './nodes.js';
import { columnsOf, type PropertyEntry } from './properties.js';
import { parseTemplateFile } from './templates.js';

/**
 * One node per snapshots/**\/*.sql file, its config from its properties entry and its
 * `{{config}}`. `{{ref}}` names snapshots like models and seeds, so a name shared with either is
 * an error.
 */
export function parseSnapshots(
  files: ProjectFiles,
  properties: ReadonlyMap<string, PropertyEntry<RawSnapshotProperties>>,
  taken: ReadonlyMap<string, string>,
  macros: ReadonlyMap<string, Macro>,
  cache: TemplateCache | undefined,
  diagnostics: Diagnostic[],
): Map<string, SnapshotNode> {
  const project = files.config.name;
  const snapshots = new Map<string, SnapshotNode>();
  const seen = new Set<string>();
  for (const f of files.snapshots) {
    const name = path.posix.basename(f.path, '.sql');
    const other = seen.has(name) ? snapshots.get(name)?.path ?? name : taken.get(name);
    if (other !== undefined) {
      diagnostics.push({
        code: 'E_DUPLICATE_NAME',
        message: `snapshot ${f.path} and ${other} share the name "${name}"`,
        file: f.path,
        line: 1,
        hint: 'ref() names models, seeds and snapshots alike; rename one file',
      });
      continue;
    }
    seen.add(name);
    const ir = parseTemplateFile(f, cache, diagnostics);
    const entry = properties.get(name);
    const { config, problems } = snapshotConfigOf(entry?.props.config, ir.config, f.path, diagnostics);
    for (const p of problems) {
      const use = ir.config.find((c) => c.key === p.key) ?? ir.config[0];
      diagnostics.push({ code: 'E_CONFIG_MISSING', message: `snapshot ${name}: ${p.message}`, file: f.path, line: use?.line ?? 1, column: use?.col, hint: p.hint });
    }
    if (!config) continue;
    const description = entry?.props.description ?? config.description;
    snapshots.set(name, {
      resourceType: 'snapshot',
      id: idOf.snapshot(project, name),
      name,
      path: f.path,
      absPath: f.absPath,
      packageName: project,
      raw: f.text,
      checksum: f.checksum,
      ir,
      config,
      tags: config.tags,
      ...(description !== undefined ? { description } : {}),
      columns: columnsOf(entry?.props.columns),
      macros: macrosUsed(ir, macros),
      fqn: foldersOf(f.path, files.config.snapshotPaths),
    });
  }
  for (const [name, entry] of properties) {
    if (seen.has(name)) continue;
    const loc = entry.yaml.locate([...entry.at, 'name']);
    diagnostics.push({
      code: 'E_PROPERTIES_UNKNOWN_SNAPSHOT',
      message: `properties for snapshot "${name}", but there is no snapshots/${name}.sql${didYouMeanSuffix(name, seen)}`,
      file: entry.yaml.file,
      line: loc?.line,
      column: loc?.column,
      hint: 'fix the name, or remove the entry',
    });
  }
  return snapshots;
}
