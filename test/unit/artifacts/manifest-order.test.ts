import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stableStringify } from '../../../src/artifacts/json.js';
import { buildManifest, manifestJson, MANIFEST_SCHEMA, type InvocationMeta } from '../../../src/artifacts/manifest.js';
import { compileProject, relationOf, type CompiledProject } from '../../../src/compile/compile.js';
import type { Target } from '../../../src/config/profiles.js';
import { loadProject, newRuntime } from '../../../src/index.js';
import type { Node } from '../../../src/parse/nodes.js';
import type { ParsedProject } from '../../../src/parse/parse-project.js';
import { checksumEntry } from '../../../src/project/files.js';
import { generateProject } from '../../../bench/generate.mjs';

/**
 * manifest.json is now built with its keys in sorted order and written with JSON.stringify. The
 * bytes must not change: this compares it with the writer it replaced (kept below verbatim: build
 * in any order, then a sorted deep copy through stableStringify) on the demo, the compile
 * fixtures and a generated 300-model project.
 */
function oldBuildManifest(p: ParsedProject, compiled: CompiledProject, target: Pick<Target, 'name' | 'schema' | 'profile' | 'threads'>, meta: InvocationMeta): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  const sources: Record<string, unknown> = {};
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const id of p.dag.ids) {
    const n = p.nodes.get(id)!;
    parentMap[id] = [...p.dag.parents(id)];
    childMap[id] = [...p.dag.children(id)];
    if (n.resourceType === 'source') sources[id] = oldSourceEntry(n);
    else nodes[id] = oldNodeEntry(p, n, compiled, target);
  }
  const macros: Record<string, unknown> = {};
  for (const m of p.macros.values()) macros[m.name] = { name: m.name, path: m.path, checksum: { name: 'sha1', checksum: m.checksum } };
  return {
    metadata: { schema_version: MANIFEST_SCHEMA, etlx_version: meta.etlxVersion, generated_at: meta.generatedAt, invocation_id: meta.invocationId, project_name: p.name, target_name: target.name },
    nodes,
    sources,
    macros,
    parent_map: parentMap,
    child_map: childMap,
  };
}

function oldNodeEntry(p: ParsedProject, n: Exclude<Node, { resourceType: 'source' }>, compiled: CompiledProject, target: Pick<Target, 'name' | 'schema' | 'profile' | 'threads'>): unknown {
  const c = compiled.nodes.get(n.id);
  const base = {
    unique_id: n.id,
    resource_type: n.resourceType,
    name: n.name,
    package_name: n.packageName,
    path: n.path,
    tags: [...n.tags],
    description: n.description ?? '',
    depends_on: { nodes: [...p.dag.parents(n.id)], macros: n.resourceType === 'model' ? [...n.macros] : [] },
    compiled_code: c?.display,
    vars_read: c?.varsRead ?? {},
  };
  switch (n.resourceType) {
    case 'model':
      return { ...base, fqn: [n.packageName, ...n.fqn, n.name], checksum: checksumEntry(n.checksum), config: n.config, relation_name: relationOf(p, { target }, n.id), columns: Object.fromEntries(n.columns.map((col) => [col.name, col])) };
    case 'seed':
      return { ...base, checksum: checksumEntry(n.checksum), config: n.config, relation_name: relationOf(p, { target }, n.id), columns: Object.fromEntries(n.columns.map((col) => [col.name, col])) };
    case 'test':
      return { ...base, checksum: checksumEntry(n.checksum), config: n.config, test_metadata: n.testType === 'generic' ? { name: n.kind, kwargs: n.args } : undefined, attached_node: n.attachedTo, column_name: n.column };
  }
}

function oldSourceEntry(s: Extract<Node, { resourceType: 'source' }>): unknown {
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
  };
}

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-manifest-order-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function copy(from: string, name: string, parts?: readonly string[]): string {
  const d = path.join(tmp, name);
  if (parts) for (const p of parts) fs.cpSync(path.join(from, p), path.join(d, p), { recursive: true });
  else fs.cpSync(from, d, { recursive: true, filter: (src) => path.basename(src) !== 'expected.json' });
  return d;
}

function bothWriters(dir: string): { before: string; after: string; nodes: number } {
  const runtime = newRuntime({ env: { HOME: path.join(tmp, 'home') }, invocationId: 'inv-1', version: '9.9.9', reporter: { emit: () => undefined } as never });
  const s = loadProject({ projectDir: dir, select: [], exclude: [], fullRefresh: false, failFast: false, debug: false }, runtime);
  const compiled = compileProject(s.project, s.ctx);
  const meta = { etlxVersion: '9.9.9', generatedAt: '2026-11-30T00:00:00.000Z', invocationId: 'inv-1' };
  return {
    before: `${stableStringify(oldBuildManifest(s.project, compiled, s.target, meta))}\n`,
    after: manifestJson(buildManifest(s.project, compiled, s.target, meta)),
    nodes: s.project.nodes.size,
  };
}

describe('manifest.json built in sorted order', () => {
  it('is byte-identical to the sorted deep copy on the demo', () => {
    const r = bothWriters(copy(REPO, 'demo', ['etlx.yml', 'models', 'macros', 'tests', 'seeds', 'staging']));
    expect(r.nodes).toBeGreaterThan(50);
    expect(r.after).toBe(r.before);
  });

  for (const name of fs.readdirSync(path.join(REPO, 'test', 'fixtures', 'compile', 'valid'))) {
    it(`is byte-identical on the compile fixture ${name}`, () => {
      const r = bothWriters(copy(path.join(REPO, 'test', 'fixtures', 'compile', 'valid', name), `fixture-${name}`));
      expect(r.nodes).toBeGreaterThan(0);
      expect(r.after).toBe(r.before);
    });
  }

  it('is byte-identical on a generated 300-model project', async () => {
    const dir = path.join(tmp, 'generated');
    await generateProject(dir, { models: 300, rows: 10 });
    const r = bothWriters(dir);
    expect(r.nodes).toBeGreaterThan(300);
    expect(r.after).toBe(r.before);
  });
});
