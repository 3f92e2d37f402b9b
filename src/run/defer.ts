import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { modelTarget, seedTarget, STATE_CATALOG } from '../compile/relations.js';
import type { Target } from '../config/profiles.js';
import { openSessionWarehouse } from './open-session-warehouse.js';
import { EtlxError } from '../errors/diagnostic.js';
import { readStateManifestFile } from '../project/previous-run.js';
import type { Session } from '../session.js';
import { qualified, quoteIdent } from '../util/sql.js';

/** What --defer reads from the --state manifest: where its warehouse is and where each node lives there. */
const deferManifestSchema = z.looseObject({
  metadata: z.looseObject({
    schema_version: z.string().startsWith('etlx/manifest/'),
    target_name: z.string().optional(),
    warehouse_path: z.string().optional(),
    schema: z.string().optional(),
  }),
  nodes: z.record(
    z.string(),
    z.looseObject({
      resource_type: z.string(),
      name: z.string(),
      config: z.looseObject({ schema: z.string().optional(), alias: z.string().optional(), materialized: z.string().optional() }).optional(),
    }),
  ),
});

/**
 * --defer: a ref to a node that is not selected and whose relation does not exist in this
 * target's warehouse reads the --state manifest's relation instead, from the state's warehouse
 * attached read only (as `__etlx_state`). Decided here, before compile, because refs are
 * rendered at compile time: the warehouse's catalog is read once (a warehouse file that does not
 * exist yet has nothing built). Returns the session to compile and run with: the deferred
 * relations in its compile context and the attach in its target.
 */
export async function withDeferral(s: Session, selected: ReadonlySet<string>): Promise<Session> {
  if (!s.options.defer) return s;
  const dir = s.options.state;
  if (!dir) throw new EtlxError({ code: 'E_ARGS', message: '--defer needs --state <dir>', hint: 'point --state at a copy of the production target/ folder: --defer --state prod-artifacts' });
  const manifest = readDeferManifest(dir, s.project.root);
  const wp = manifest.metadata.warehouse_path;
  if (wp === undefined || wp === ':memory:' || wp.startsWith('****')) {
    throw new EtlxError({
      code: 'E_STATE',
      message: `--defer: the manifest in ${dir} ${wp === undefined ? 'records no warehouse_path' : wp === ':memory:' ? 'is of an in-memory warehouse, which is gone' : 'hides its warehouse path (it came from the environment)'}`,
      hint: 'use the manifest.json of a run against a warehouse file (etlx 0.1 manifests record metadata.warehouse_path)',
    });
  }
  const statePath = path.resolve(s.project.root, wp);
  if (!existsSync(statePath)) {
    throw new EtlxError({ code: 'E_STATE', message: `--defer: the state's warehouse ${wp} does not exist`, hint: 'build the production target first, or copy its warehouse file to that path' });
  }
  if (s.target.path !== ':memory:' && path.resolve(s.target.path) === statePath) return s;
  const target: Target = { ...s.target, attach: [...s.target.attach, { path: statePath, alias: STATE_CATALOG, read_only: true }] };
  const built = await existingRelations(s, target);
  const deferred = new Map<string, string>();
  const stateSchema = manifest.metadata.schema ?? 'main';
  for (const [id, n] of s.project.nodes) {
    if (selected.has(id)) continue;
    const here = n.resourceType === 'seed' ? seedTarget(n, s.target.schema) : n.resourceType === 'model' && ['view', 'table', 'incremental'].includes(n.mat.kind) ? modelTarget(n, s.target.schema) : undefined;
    const there = manifest.nodes[id];
    if (!here || !there || there.resource_type !== n.resourceType || built.has(key(here.schema, here.identifier))) continue;
    if (there.resource_type === 'model' && !['view', 'table', 'incremental', undefined].includes(there.config?.materialized)) continue;
    deferred.set(id, `${quoteIdent(STATE_CATALOG)}.${qualified(there.config?.schema ?? stateSchema, there.config?.alias ?? there.name)}`);
  }
  if (deferred.size === 0) return s;
  s.runtime.reporter.emit({
    type: 'info',
    message: `--defer: ${deferred.size} unselected ${deferred.size === 1 ? 'node is' : 'nodes are'} not built in target ${s.target.name}; refs to ${deferred.size === 1 ? 'it' : 'them'} read ${manifest.metadata.target_name ?? 'the state'}'s warehouse ${wp} (read only)`,
  });
  return { ...s, target, ctx: { ...s.ctx, target, deferred } };
}

function key(schema: string, name: string): string {
  return `${schema.toLowerCase()}.${name.toLowerCase()}`;
}

/** Relations in this target's own warehouse (none when its file does not exist yet). */
async function existingRelations(s: Session, target: Target): Promise<Set<string>> {
  const out = new Set<string>();
  if (target.path === ':memory:' || !existsSync(target.path)) return out;
  const engine = await openSessionWarehouse(s, { target });
  try {
    const c = await engine.connect();
    try {
      for (const r of await c.query('select table_schema as s, table_name as n from information_schema.tables where table_catalog = current_database()')) {
        out.add(key(String(r.s), String(r.n)));
      }
    } finally {
      c.close();
    }
  } finally {
    await engine.close();
  }
  return out;
}

function readDeferManifest(dir: string, root: string): z.output<typeof deferManifestSchema> {
  const read = readStateManifestFile(dir, root);
  if (!read.ok) {
    throw new EtlxError({
      code: 'E_STATE',
      message: `--state ${dir}: ${read.problem === 'missing' ? 'no manifest.json there' : `manifest.json is not valid JSON (${read.detail ?? ''})`}`,
      hint: 'point --state at a folder holding the manifest.json of the production run (a copy of its target/)',
    });
  }
  const parsed = deferManifestSchema.safeParse(read.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EtlxError({ code: 'E_STATE', message: `--state ${dir}: manifest.json is not an etlx manifest: ${issue.path.join('.')}: ${issue.message}`, hint: 'regenerate it with etlx compile' });
  }
  return parsed.data;
}
