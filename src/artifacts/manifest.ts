import type { CompiledProject } from '../compile/compile.js';
import type { Node } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { relationOf } from '../compile/compile.js';
import type { Target } from '../config/profiles.js';
import { sortKeys } from './json.js';
import { checksumEntry } from '../project/files.js';

export const MANIFEST_SCHEMA = 'etlx/manifest/v1';

export interface InvocationMeta {
  readonly etlxVersion: string;
  readonly generatedAt: string;
  readonly invocationId: string;
}

/**
 * manifest.json as a plain object; see the README's Artifacts section for the shape. Every object
 * is built with its keys in sorted order (values from the project, such as config, are sorted
 * with `sortKeys`), so `JSON.stringify` writes the same bytes as a sorted deep copy would, without
 * copying 10,000 nodes (test/unit/artifacts/manifest-order.test.ts pins this against the old writer).
 */
export function buildManifest(
  p: ParsedProject,
  compiled: CompiledProject,
  target: Pick<Target, 'name' | 'schema' | 'profile' | 'threads'>,
  meta: InvocationMeta,
): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  const sources: Record<string, unknown> = {};
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  const ids = [...p.dag.ids].sort();
  for (const id of ids) {
    const n = p.nodes.get(id)!;
    parentMap[id] = [...p.dag.parents(id)];
    childMap[id] = [...p.dag.children(id)];
    if (n.resourceType === 'source') sources[id] = sourceEntry(n);
    else nodes[id] = nodeEntry(p, n, compiled, target);
  }
  const macros: Record<string, unknown> = {};
  for (const m of [...p.macros.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    macros[m.name] = { checksum: { checksum: m.checksum, name: 'sha1' }, name: m.name, path: m.path };
  }
  return {
    child_map: childMap,
    macros,
    metadata: {
      etlx_version: meta.etlxVersion,
      generated_at: meta.generatedAt,
      invocation_id: meta.invocationId,
      project_name: p.name,
      schema_version: MANIFEST_SCHEMA,
      target_name: target.name,
    },
    nodes,
    parent_map: parentMap,
    sources,
  };
}

/** The manifest's text: `buildManifest` already put every key in order. */
export function manifestJson(manifest: Record<string, unknown>): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function nodeEntry(p: ParsedProject, n: Exclude<Node, { resourceType: 'source' }>, compiled: CompiledProject, target: Pick<Target, 'name' | 'schema' | 'profile' | 'threads'>): unknown {
  const c = compiled.nodes.get(n.id);
  const dependsOn = { macros: n.resourceType === 'model' ? [...n.macros] : [], nodes: [...p.dag.parents(n.id)] };
  const columns = () => sortKeys(Object.fromEntries(n.resourceType === 'test' ? [] : n.columns.map((col) => [col.name, col])));
  switch (n.resourceType) {
    case 'model':
      return {
        checksum: sortKeys(checksumEntry(n.checksum)),
        columns: columns(),
        compiled_code: c?.display,
        config: sortKeys(n.config),
        depends_on: dependsOn,
        description: n.description ?? '',
        fqn: sortKeys([n.packageName, ...n.fqn, n.name]),
        name: n.name,
        package_name: n.packageName,
        path: n.path,
        relation_name: relationOf(p, { target }, n.id),
        resource_type: n.resourceType,
        tags: [...n.tags],
        unique_id: n.id,
        vars_read: sortKeys(c?.varsRead ?? {}),
      };
    case 'seed':
      return {
        checksum: sortKeys(checksumEntry(n.checksum)),
        columns: columns(),
        compiled_code: c?.display,
        config: sortKeys(n.config),
        depends_on: dependsOn,
        description: n.description ?? '',
        name: n.name,
        package_name: n.packageName,
        path: n.path,
        relation_name: relationOf(p, { target }, n.id),
        resource_type: n.resourceType,
        tags: [...n.tags],
        unique_id: n.id,
        vars_read: sortKeys(c?.varsRead ?? {}),
      };
    case 'test':
      return {
        attached_node: n.attachedTo,
        checksum: sortKeys(checksumEntry(n.checksum)),
        column_name: n.column,
        compiled_code: c?.display,
        config: sortKeys(n.config),
        depends_on: dependsOn,
        description: n.description ?? '',
        name: n.name,
        package_name: n.packageName,
        path: n.path,
        resource_type: n.resourceType,
        tags: [...n.tags],
        test_metadata: n.testType === 'generic' ? sortKeys({ name: n.kind, kwargs: n.args }) : undefined,
        unique_id: n.id,
        vars_read: sortKeys(c?.varsRead ?? {}),
      };
    default: {
      const never: never = n;
      return never;
    }
  }
}

function sourceEntry(s: Extract<Node, { resourceType: 'source' }>): unknown {
  return {
    columns: sortKeys(Object.fromEntries(s.columns.map((col) => [col.name, col]))),
    description: s.description ?? '',
    format: sortKeys(s.format),
    freshness: sortKeys(s.freshness),
    identifier: sortKeys(s.identifier),
    kind: sortKeys(s.kind),
    location: sortKeys(s.location),
    name: s.name,
    options: sortKeys(s.options),
    package_name: s.packageName,
    path: s.path,
    resource_type: 'source',
    schema: s.kind === 'table' ? sortKeys(s.schema) : undefined,
    source_name: s.sourceName,
    tags: [...s.tags],
    unique_id: s.id,
  };
}
