/**
 * `etlx docs generate`: read the warehouse catalog and run history (no data is changed),
 * compute column lineage, and write target/catalog.json, manifest.json (with lineage) and
 * target/docs/index.html.
 */
import path from 'node:path';
import { writeManifest } from '../artifacts/manifest-file.js';
import type { ColumnLineageMap, ModelColumnLineage } from '../artifacts/manifest.js';
import { stableStringify, writeFileAtomic } from '../artifacts/json.js';
import { relativize } from '../artifacts/paths.js';
import { relationOf, type CompiledProject } from '../compile/compile.js';
import type { Connection, Engine } from '../engine/engine.js';
import { openScratch } from '../engine/open.js';
import type { Session } from '../session.js';
import { catalogColumns, catalogJson, readCatalog, type Catalog } from './catalog.js';
import { readHistory } from './history.js';
import { analyzeLineage } from './lineage.js';
import { parseTrees } from './parse-tree.js';
import { relationResolver } from './relation-index.js';
import { buildSiteData } from './site-data.js';
import { renderSite } from './site.js';

export interface DocsResult {
  readonly catalogFile: string;
  readonly manifestFile: string;
  readonly siteFile: string;
  readonly nodes: number;
  readonly catalogErrors: readonly string[];
  /** Output columns with lineage, and those left empty with a note. */
  readonly lineageColumns: number;
  readonly notedColumns: number;
  /** Milliseconds: reading the warehouse (catalog, file DESCRIBEs, history), and everything else. */
  readonly timings: { readonly warehouseMs: number; readonly otherMs: number };
}

export async function generateDocs(s: Session, compiled: CompiledProject, engine: Engine): Promise<DocsResult> {
  const started = performance.now();
  const c = await engine.connect();
  let catalog: Catalog;
  let history: Awaited<ReturnType<typeof readHistory>>;
  let warehouseMs: number;
  let lineage: { map: ColumnLineageMap; notes: Map<string, string> };
  try {
    const t0 = performance.now();
    const engineType = s.target.type;
    catalog = await readCatalog(c, s.project, s.target.schema, engineType);
    history = await readHistory(c, catalog.relations, undefined, engineType);
    warehouseMs = performance.now() - t0;
    // Column lineage parses the models with DuckDB's parser: on other engines, in a private DuckDB.
    lineage = engineType === 'duckdb' ? await computeLineage(s, compiled, catalog, c) : await withScratch((d) => computeLineage(s, compiled, catalog, d));
  } finally {
    c.close();
  }
  const now = s.runtime.now().toISOString();
  const root = s.project.root;
  const catalogFile = path.join(s.targetDir, 'catalog.json');
  writeFileAtomic(catalogFile, s.secrets.redactJson(relativize(`${stableStringify(catalogJson(catalog, { etlxVersion: s.runtime.version, generatedAt: now, invocationId: s.runtime.invocationId }))}\n`, root)));
  writeManifest(s.project, compiled, s.target, s.targetDir, s.runtime, s.secrets, lineage.map);
  const data = buildSiteData(s.project, compiled, catalog, lineage.map, lineage.notes, history, {
    target: s.target.name,
    generatedAt: now,
    relationOf: (id) => (s.project.nodes.get(id)?.resourceType === 'test' ? undefined : relationOf(s.project, s.ctx, id)),
  });
  const siteFile = path.join(s.targetDir, 'docs', 'index.html');
  // The page embeds the manifest, catalog and history: redacted like every other artifact.
  writeFileAtomic(siteFile, s.secrets.redact(relativize(renderSite(data), root)));
  let lineageColumns = 0;
  let notedColumns = 0;
  for (const cols of lineage.map.values()) for (const l of cols.values()) l.note === undefined ? lineageColumns++ : notedColumns++;
  return {
    catalogFile,
    manifestFile: path.join(s.targetDir, 'manifest.json'),
    siteFile,
    nodes: s.project.nodes.size,
    catalogErrors: catalog.errors,
    lineageColumns,
    notedColumns,
    timings: { warehouseMs, otherMs: performance.now() - started - warehouseMs },
  };
}

/** Lineage of every model, in DAG order: an ephemeral model's columns come from its own analysis. */
async function computeLineage(s: Session, compiled: CompiledProject, catalog: Catalog, c: Connection): Promise<{ map: ColumnLineageMap; notes: Map<string, string> }> {
  const models = s.project.dag.topoOrder().filter((id) => s.project.nodes.get(id)?.resourceType === 'model' && compiled.nodes.has(id));
  const trees = await parseTrees(c, models.map((id) => compiled.nodes.get(id)!.sql));
  const map = new Map<string, ModelColumnLineage>();
  const notes = new Map<string, string>();
  const columnsOf = (id: string) => catalogColumns(catalog.nodes.get(id) ?? catalog.sources.get(id)) ?? (map.has(id) && !notes.has(id) ? [...map.get(id)!.keys()] : undefined);
  const resolver = relationResolver(s.project, s.target.schema, columnsOf);
  models.forEach((id, i) => {
    const r = analyzeLineage(trees[i], resolver, catalogColumns(catalog.nodes.get(id)));
    map.set(id, r.columns);
    if (r.note !== undefined) notes.set(id, r.note);
  });
  return { map, notes };
}

async function withScratch<T>(work: (c: Connection) => Promise<T>): Promise<T> {
  const engine = await openScratch();
  try {
    const c = await engine.connect();
    try {
      return await work(c);
    } finally {
      c.close();
    }
  } finally {
    await engine.close();
  }
}
