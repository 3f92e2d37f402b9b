/**
 * What the docs page embeds: every node with what its page shows, the lineage graph (edges
 * and, when small enough, its layout), column lineage and run history. Plain JSON.
 */
import type { CompiledProject } from '../compile/compile.js';
import type { ColumnLineageMap } from '../artifacts/manifest.js';
import type { Node } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { catalogColumns, type Catalog } from './catalog.js';
import type { History } from './history.js';
import { layoutGraph, type GraphLayout } from './layout.js';

export interface SiteColumn {
  readonly name: string;
  readonly type?: string;
  readonly description?: string;
  readonly tests: readonly string[];
  readonly lineage?: readonly { readonly node: string; readonly column: string; readonly direct: boolean }[];
  readonly note?: string;
}

export interface SiteNode {
  readonly id: string;
  readonly name: string;
  readonly type: Node['resourceType'];
  /** Materialization (models), source kind, or test kind. */
  readonly kind: string;
  readonly path: string;
  readonly fqn: readonly string[];
  readonly tags: readonly string[];
  readonly description: string;
  readonly config: unknown;
  readonly relation?: string;
  readonly raw?: string;
  readonly compiled?: string;
  readonly columns: readonly SiteColumn[];
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Index in the graph (models, seeds, sources; tests are not drawn). */
  readonly g?: number;
}

export interface SiteData {
  readonly project: string;
  readonly target: string;
  readonly generated_at: string;
  readonly nodes: readonly SiteNode[];
  readonly graph: { readonly ids: readonly string[]; readonly edges: readonly (readonly [number, number])[]; readonly layout?: GraphLayout };
  readonly lineage_notes: Readonly<Record<string, string>>;
  readonly catalog_errors: readonly string[];
  readonly history: History;
}

export function buildSiteData(
  p: ParsedProject,
  compiled: CompiledProject,
  catalog: Catalog,
  lineage: ColumnLineageMap,
  modelNotes: ReadonlyMap<string, string>,
  history: History,
  meta: { target: string; generatedAt: string; relationOf: (id: string) => string | undefined },
): SiteData {
  const graphIds = p.dag.ids.filter((id) => p.nodes.get(id)?.resourceType !== 'test');
  const gIndex = new Map(graphIds.map((id, i) => [id, i]));
  const edges: [number, number][] = [];
  for (const id of graphIds) for (const c of p.dag.children(id)) if (gIndex.has(c)) edges.push([gIndex.get(id)!, gIndex.get(c)!]);
  const testsOn = new Map<string, string[]>();
  for (const t of p.tests.values()) {
    if (!t.attachedTo || !t.column) continue;
    const key = `${t.attachedTo}\u0000${t.column.toLowerCase()}`;
    testsOn.set(key, [...(testsOn.get(key) ?? []), t.kind === 'singular' ? t.name : t.kind]);
  }
  const nodes = p.dag.ids.map((id) => {
    const n = p.nodes.get(id)!;
    const cat = n.resourceType === 'source' ? catalog.sources.get(id) : catalog.nodes.get(id);
    const c = compiled.nodes.get(id);
    const relation = meta.relationOf(id);
    return {
      id,
      name: n.resourceType === 'source' ? `${n.sourceName}.${n.name}` : n.name,
      type: n.resourceType,
      kind: kindOf(n),
      path: n.path,
      fqn: n.resourceType === 'model' ? n.fqn : [],
      tags: n.tags,
      description: n.description ?? '',
      config: configOf(n),
      ...(relation !== undefined ? { relation } : {}),
      ...(n.resourceType === 'model' ? { raw: n.raw } : {}),
      ...(c ? { compiled: c.display } : {}),
      columns: columnsOf(n, catalogColumns(cat), cat, lineage.get(id), testsOn),
      parents: p.dag.parents(id),
      children: p.dag.children(id),
      ...(gIndex.has(id) ? { g: gIndex.get(id)! } : {}),
    } satisfies SiteNode;
  });
  const layout = layoutGraph(graphIds.length, edges);
  return {
    project: p.name,
    target: meta.target,
    generated_at: meta.generatedAt,
    nodes,
    graph: { ids: graphIds, edges, ...(layout ? { layout } : {}) },
    lineage_notes: Object.fromEntries(modelNotes),
    catalog_errors: catalog.errors,
    history,
  };
}

function kindOf(n: Node): string {
  switch (n.resourceType) {
    case 'model':
      return n.mat.kind;
    case 'seed':
      return 'seed';
    case 'source':
      return n.kind === 'file' ? `file source (${n.format ?? 'parquet'})` : 'table source';
    case 'test':
      return n.kind;
    case 'snapshot':
      return `snapshot (${n.config.strategy})`;
    case 'unit_test':
      return 'unit test';
    default: {
      const never: never = n;
      throw new Error(`unknown node ${JSON.stringify(never)}`);
    }
  }
}

function configOf(n: Node): unknown {
  switch (n.resourceType) {
    case 'source':
      return { kind: n.kind, location: n.location, format: n.format, schema: n.schema, identifier: n.identifier, options: n.options, freshness: n.freshness };
    case 'test':
      return { ...n.config, attached_node: n.attachedTo, column_name: n.column, args: n.args };
    default:
      return n.config;
  }
}

function columnsOf(
  n: Node,
  catalogCols: readonly string[] | undefined,
  cat: { columns: Readonly<Record<string, { type: string }>> } | undefined,
  lineage: ReturnType<ColumnLineageMap['get']>,
  testsOn: ReadonlyMap<string, string[]>,
): SiteColumn[] {
  const declared = n.resourceType === 'test' || n.resourceType === 'unit_test' ? [] : n.columns;
  const names = [...(catalogCols ?? [...(lineage?.keys() ?? [])])];
  for (const d of declared) if (!names.some((x) => x.toLowerCase() === d.name.toLowerCase())) names.push(d.name);
  return names.map((name) => {
    const d = declared.find((x) => x.name.toLowerCase() === name.toLowerCase());
    const l = lineage ? [...lineage].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] : undefined;
    const type = cat?.columns[name]?.type ?? d?.data_type;
    return {
      name,
      ...(type ? { type } : {}),
      ...(d?.description ? { description: d.description } : {}),
      tests: testsOn.get(`${n.id}\u0000${name.toLowerCase()}`) ?? [],
      ...(l ? { lineage: l.lineage, ...(l.note !== undefined ? { note: l.note } : {}) } : {}),
    };
  });
}
