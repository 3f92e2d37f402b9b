import path from 'node:path';
import type { CompiledProject } from '../compile/compile.js';
import type { Node } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { relationOf } from '../compile/compile.js';
import type { Target } from '../config/profiles.js';
import { stableStringify } from './json.js';
import { checksumEntry } from '../project/files.js';

export const MANIFEST_SCHEMA = 'etlx/manifest/v1';

/** Column lineage per model (docs generate): output column -> its upstream columns, or a note. */
export type ModelColumnLineage = ReadonlyMap<string, { readonly lineage: readonly { readonly node: string; readonly column: string; readonly direct: boolean }[]; readonly note?: string }>;
export type ColumnLineageMap = ReadonlyMap<string, ModelColumnLineage>;

export interface InvocationMeta {
  readonly etlxVersion: string;
  readonly generatedAt: string;
  readonly invocationId: string;
}

/** manifest.json as a plain object; see the README's Artifacts section for the shape. */
export function buildManifest(
  p: ParsedProject,
  compiled: CompiledProject,
  target: Pick<Target, 'name' | 'schema' | 'profile' | 'threads'> & Partial<Pick<Target, 'path' | 'attach' | 'secrets'>>,
  meta: InvocationMeta,
  columnLineage?: ColumnLineageMap,
): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  const sources: Record<string, unknown> = {};
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const id of p.dag.ids) {
    const n = p.nodes.get(id)!;
    parentMap[id] = [...p.dag.parents(id)];
    childMap[id] = [...p.dag.children(id)];
    if (n.resourceType === 'source') sources[id] = sourceEntry(n);
    else nodes[id] = nodeEntry(p, n, compiled, target, columnLineage?.get(id));
  }
  const macros: Record<string, unknown> = {};
  for (const m of p.macros.values()) macros[m.name] = { name: m.name, path: m.path, checksum: { name: 'sha1', checksum: m.checksum } };
  return {
    metadata: {
      schema_version: MANIFEST_SCHEMA,
      etlx_version: meta.etlxVersion,
      generated_at: meta.generatedAt,
      invocation_id: meta.invocationId,
      project_name: p.name,
      target_name: target.name,
      // --defer --state reads these: where this target's relations are.
      schema: target.schema,
      ...(target.path !== undefined && !(target.secrets ?? []).some((x) => x.length >= 3 && target.path!.includes(x)) ? { warehouse_path: warehousePath(target.path, p.root) } : {}),
    },
    nodes,
    sources,
    macros,
    parent_map: parentMap,
    child_map: childMap,
  };
}

/** Relative to the project when inside it (the same across checkouts), else absolute. */
function warehousePath(file: string, root: string): string {
  if (file === ':memory:' || /^https?:\/\//.test(file)) return file;
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

export function manifestJson(manifest: Record<string, unknown>): string {
  return `${stableStringify(manifest)}\n`;
}

function nodeEntry(
  p: ParsedProject,
  n: Exclude<Node, { resourceType: 'source' }>,
  compiled: CompiledProject,
  target: Pick<Target, 'name' | 'schema' | 'profile' | 'threads'> & Partial<Pick<Target, 'path' | 'attach'>>,
  lineage: ModelColumnLineage | undefined,
): unknown {
  const c = compiled.nodes.get(n.id);
  const base = {
    unique_id: n.id,
    resource_type: n.resourceType,
    name: n.name,
    package_name: n.packageName,
    path: n.path,
    tags: [...n.tags],
    description: n.description ?? '',
    depends_on: { nodes: [...p.dag.parents(n.id)], macros: n.resourceType === 'model' || n.resourceType === 'snapshot' ? [...n.macros] : [] },
    compiled_code: c?.display,
    vars_read: c?.varsRead ?? {},
    // dbt's name: the config as written, when a properties value was a template.
    ...(n.unrendered ? { unrendered_config: n.unrendered } : {}),
  };
  switch (n.resourceType) {
    case 'model':
      return {
        ...base,
        fqn: [n.packageName, ...n.fqn, n.name],
        checksum: checksumEntry(n.checksum),
        config: n.config,
        relation_name: relationOf(p, { target }, n.id),
        columns: withLineage(n.columns, lineage),
      };
    case 'seed':
      return {
        ...base,
        checksum: checksumEntry(n.checksum),
        config: n.config,
        relation_name: relationOf(p, { target }, n.id),
        columns: Object.fromEntries(n.columns.map((col) => [col.name, col])),
      };
    case 'snapshot':
      return {
        ...base,
        fqn: [n.packageName, ...n.fqn, n.name],
        checksum: checksumEntry(n.checksum),
        config: n.config,
        relation_name: relationOf(p, { target }, n.id),
        columns: Object.fromEntries(n.columns.map((col) => [col.name, col])),
      };
    case 'unit_test':
      return {
        ...base,
        checksum: checksumEntry(n.checksum),
        config: n.config,
        model: p.nodes.get(n.model)?.name,
        attached_node: n.model,
        given: n.given.map((g) => ({ input: g.input, format: g.format, rows: g.rows })),
        expect: n.expect,
        overrides: { vars: n.overrides.vars, ...(n.overrides.isIncremental !== undefined ? { is_incremental: n.overrides.isIncremental } : {}) },
      };
    case 'test':
      return {
        ...base,
        checksum: checksumEntry(n.checksum),
        config: n.config,
        test_metadata: n.testType === 'generic' ? { name: n.custom?.name ?? n.kind, kwargs: n.args } : undefined,
        attached_node: n.attachedTo,
        column_name: n.column,
      };
    default: {
      const never: never = n;
      return never;
    }
  }
}

/** Declared columns, and with docs generate every output column with its lineage. */
function withLineage(declared: Extract<Node, { resourceType: 'model' }>['columns'], lineage: ModelColumnLineage | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(declared.map((col) => [col.name, col]));
  if (!lineage) return out;
  for (const [name, l] of lineage) {
    const key = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    out[key] = { name: key, ...(out[key] as object | undefined), lineage: l.lineage, ...(l.note !== undefined ? { lineage_note: l.note } : {}) };
  }
  return out;
}

function sourceEntry(s: Extract<Node, { resourceType: 'source' }>): unknown {
  return {
    unique_id: s.id,
    resource_type: 'source',
    name: s.name,
    source_name: s.sourceName,
    package_name: s.packageName,
    path: s.path,
    tags: [...s.tags],
    description: s.description ?? '',
    kind: s.kind,
    location: s.location,
    format: s.format,
    options: s.options,
    schema: s.kind === 'table' ? s.schema : undefined,
    identifier: s.identifier,
    freshness: s.freshness,
    columns: Object.fromEntries(s.columns.map((col) => [col.name, col])),
    ...(s.unrendered ? { unrendered: s.unrendered } : {}),
  };
}
