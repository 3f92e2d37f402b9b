import path from 'node:path';
import type { CompiledProject } from '../compile/compile.js';
import type { ColumnInfo, Node } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { relationOf } from '../compile/compile.js';
import type { Target } from '../config/profiles.js';
import { inKeyOrder } from './json.js';
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
  target: ManifestTarget,
  meta: InvocationMeta,
  columnLineage?: ColumnLineageMap,
): Record<string, unknown> {
  return Object.fromEntries(manifestSections(p, compiled, target, meta, columnLineage).map((x) => [x.name, Object.fromEntries(x.entries())]));
}

type ManifestTarget = Pick<Target, 'name' | 'schema' | 'profile' | 'threads'> & Partial<Pick<Target, 'path' | 'attach' | 'secrets'>>;

/**
 * The manifest's top-level sections in key order, each an object whose entries are built when
 * read (the manifest of 10,000 models is written entry by entry: manifest-file.ts). Every object
 * in it is built with its keys in sorted order, and every value taken from the project (a
 * config, a column, test arguments) goes through `inKeyOrder`, which copies only what is out of
 * order: so `JSON.stringify` gives the bytes a sorted deep copy would
 * (test/integration/manifest-order.test.ts pins them against the writer this replaced).
 * `byKey`: the section's keys are node ids, never array-index-like, so its entries may be
 * written in parts (an object lists index-like keys first, whatever their insertion order).
 */
export interface ManifestSection {
  readonly name: string;
  readonly byKey: boolean;
  readonly entries: () => Iterable<readonly [string, unknown]>;
}

export function manifestSections(p: ParsedProject, compiled: CompiledProject, target: ManifestTarget, meta: InvocationMeta, columnLineage?: ColumnLineageMap): ManifestSection[] {
  const ids = [...p.dag.ids].sort();
  const macros = [...p.macros.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const metadata = {
    etlx_version: meta.etlxVersion,
    generated_at: meta.generatedAt,
    invocation_id: meta.invocationId,
    project_name: p.name,
    // --defer --state reads these: where this target's relations are.
    schema: target.schema,
    schema_version: MANIFEST_SCHEMA,
    target_name: target.name,
    ...(target.path !== undefined && !(target.secrets ?? []).some((x) => x.length >= 3 && target.path!.includes(x)) ? { warehouse_path: warehousePath(target.path, p.root) } : {}),
  };
  return [
    {
      name: 'child_map',
      byKey: true,
      *entries() {
        for (const id of ids) yield [id, [...p.dag.children(id)]] as const;
      },
    },
    { name: 'macros', byKey: false, entries: () => macros.map((m) => [m.name, { checksum: { checksum: m.checksum, name: 'sha1' }, name: m.name, path: m.path }] as const) },
    { name: 'metadata', byKey: false, entries: () => Object.entries(metadata) },
    {
      name: 'nodes',
      byKey: true,
      *entries() {
        for (const id of ids) {
          const n = p.nodes.get(id)!;
          if (n.resourceType !== 'source') yield [id, nodeEntry(p, n, compiled, target, columnLineage?.get(id))] as const;
        }
      },
    },
    {
      name: 'parent_map',
      byKey: true,
      *entries() {
        for (const id of ids) yield [id, [...p.dag.parents(id)]] as const;
      },
    },
    {
      name: 'sources',
      byKey: true,
      *entries() {
        for (const id of ids) {
          const n = p.nodes.get(id)!;
          if (n.resourceType === 'source') yield [id, sourceEntry(n)] as const;
        }
      },
    },
  ];
}

/** Relative to the project when inside it (the same across checkouts), else absolute. */
function warehousePath(file: string, root: string): string {
  if (file === ':memory:' || /^https?:\/\//.test(file)) return file;
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/** The manifest's text: `buildManifest` already put every key in order. */
export function manifestJson(manifest: Record<string, unknown>): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function nodeEntry(
  p: ParsedProject,
  n: Exclude<Node, { resourceType: 'source' }>,
  compiled: CompiledProject,
  target: Pick<Target, 'name' | 'schema' | 'profile' | 'threads'> & Partial<Pick<Target, 'path' | 'attach'>>,
  lineage: ModelColumnLineage | undefined,
): unknown {
  const c = compiled.nodes.get(n.id);
  // Every entry lists its keys in sorted order (see buildManifest).
  const dependsOn = { macros: n.resourceType === 'model' || n.resourceType === 'snapshot' ? [...n.macros] : [], nodes: [...p.dag.parents(n.id)] };
  const description = n.description ?? '';
  const tags = [...n.tags];
  const varsRead = inKeyOrder(c?.varsRead ?? {});
  const checksum = checksumOf(n.checksum);
  const config = inKeyOrder(n.config);
  // dbt's name: the config as written, when a properties value was a template.
  const unrendered = n.unrendered ? { unrendered_config: inKeyOrder(n.unrendered) } : {};
  switch (n.resourceType) {
    case 'model':
      return {
        checksum,
        columns: withLineage(n.columns, lineage),
        compiled_code: c?.display,
        config,
        depends_on: dependsOn,
        description,
        fqn: [n.packageName, ...n.fqn, n.name],
        name: n.name,
        package_name: n.packageName,
        path: n.path,
        relation_name: relationOf(p, { target }, n.id),
        resource_type: n.resourceType,
        tags,
        unique_id: n.id,
        ...unrendered,
        vars_read: varsRead,
      };
    case 'seed':
    case 'snapshot':
      return {
        checksum,
        columns: byName(n.columns),
        compiled_code: c?.display,
        config,
        depends_on: dependsOn,
        description,
        ...(n.resourceType === 'snapshot' ? { fqn: [n.packageName, ...n.fqn, n.name] } : {}),
        name: n.name,
        package_name: n.packageName,
        path: n.path,
        relation_name: relationOf(p, { target }, n.id),
        resource_type: n.resourceType,
        tags,
        unique_id: n.id,
        ...unrendered,
        vars_read: varsRead,
      };
    case 'unit_test':
      return {
        attached_node: n.model,
        checksum,
        compiled_code: c?.display,
        config,
        depends_on: dependsOn,
        description,
        expect: inKeyOrder(n.expect),
        given: n.given.map((g) => ({ format: g.format, input: g.input, rows: inKeyOrder(g.rows) })),
        model: p.nodes.get(n.model)?.name,
        name: n.name,
        overrides: { ...(n.overrides.isIncremental !== undefined ? { is_incremental: n.overrides.isIncremental } : {}), vars: inKeyOrder(n.overrides.vars) },
        package_name: n.packageName,
        path: n.path,
        resource_type: n.resourceType,
        tags,
        unique_id: n.id,
        ...unrendered,
        vars_read: varsRead,
      };
    case 'test':
      return {
        attached_node: n.attachedTo,
        checksum,
        column_name: n.column,
        compiled_code: c?.display,
        config,
        depends_on: dependsOn,
        description,
        name: n.name,
        package_name: n.packageName,
        path: n.path,
        resource_type: n.resourceType,
        tags,
        test_metadata: n.testType === 'generic' ? { kwargs: inKeyOrder(n.args), name: n.custom?.name ?? n.kind } : undefined,
        unique_id: n.id,
        ...unrendered,
        vars_read: varsRead,
      };
    default: {
      const never: never = n;
      return never;
    }
  }
}

/** Columns keyed by name, inserted in name order as a sorted copy inserts them. */
function byName(columns: readonly ColumnInfo[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const col of [...columns].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) out[col.name] = inKeyOrder(col);
  return out;
}

/** Declared columns, and with docs generate every output column with its lineage. */
function withLineage(declared: Extract<Node, { resourceType: 'model' }>['columns'], lineage: ModelColumnLineage | undefined): Record<string, unknown> {
  if (!lineage) return byName(declared);
  // Declaration order for the case-insensitive match below, as before.
  const out: Record<string, unknown> = Object.fromEntries(declared.map((col) => [col.name, col]));
  for (const [name, l] of lineage) {
    const key = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    out[key] = { name: key, ...(out[key] as object | undefined), lineage: l.lineage, ...(l.note !== undefined ? { lineage_note: l.note } : {}) };
  }
  return inKeyOrder(out) as Record<string, unknown>;
}

function sourceEntry(s: Extract<Node, { resourceType: 'source' }>): unknown {
  return {
    columns: byName(s.columns),
    description: s.description ?? '',
    format: inKeyOrder(s.format),
    freshness: inKeyOrder(s.freshness),
    identifier: s.identifier,
    kind: s.kind,
    location: inKeyOrder(s.location),
    name: s.name,
    options: inKeyOrder(s.options),
    package_name: s.packageName,
    path: s.path,
    resource_type: 'source',
    schema: s.kind === 'table' ? s.schema : undefined,
    source_name: s.sourceName,
    tags: [...s.tags],
    unique_id: s.id,
    ...(s.unrendered ? { unrendered: inKeyOrder(s.unrendered) } : {}),
  };
}

/** checksumEntry's value with its keys in order. */
function checksumOf(checksum: string): { checksum: string; name: string } {
  const e = checksumEntry(checksum);
  return { checksum: e.checksum, name: e.name };
}
