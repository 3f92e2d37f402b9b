import type { Target } from '../config/profiles.js';
import { capabilitiesOf } from '../engine/capabilities.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { ModelNode, Node } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { runParents } from './execution.js';

const ENGINE_NAME: Readonly<Record<Target['type'], string>> = { duckdb: 'DuckDB', clickhouse: 'ClickHouse' };

/**
 * The incremental strategy a model runs with on this target: one that was only defaulted to
 * merge (a unique_key, no incremental_strategy) is append on an engine without merge.
 */
export function strategyOn(m: ModelNode, target: Pick<Target, 'type'>): 'append' | 'delete+insert' | 'merge' | undefined {
  if (m.mat.kind !== 'incremental') return undefined;
  if (m.mat.strategy === 'merge' && m.strategyDefaulted && !capabilitiesOf(target).merge) return 'append';
  return m.mat.strategy;
}

/**
 * What the run asks that the target's engine cannot do, as exit-2 diagnostics (one per node and
 * problem), found before the warehouse is opened. Pure.
 */
export function engineRefusals(p: ParsedProject, target: Pick<Target, 'type' | 'name' | 'atomic'>, ids: ReadonlySet<string>): Diagnostic[] {
  const can = capabilitiesOf(target);
  const engine = ENGINE_NAME[target.type];
  const on = `on the ${engine} target "${target.name}"`;
  const out: Diagnostic[] = [];
  const refuse = (n: Node | undefined, message: string, hint: string) =>
    out.push({ code: 'E_ENGINE_UNSUPPORTED', message, ...(n ? { file: n.path, ...lineOf(n) } : { file: 'profiles.yml' }), hint });
  if (target.atomic && !can.atomic) {
    refuse(undefined, `--atomic is not possible ${on}: ${engine} has no transaction across statements`, 'run without --atomic (and without atomic: true in the target); a failed table build still leaves the old table');
  }
  const fileSources = new Set<string>();
  for (const id of [...ids].sort()) {
    const n = p.nodes.get(id) ?? p.unitTests.get(id);
    if (!n) continue;
    if (n.resourceType === 'unit_test' && !can.unitTests) {
      refuse(n, `unit test ${n.name} cannot run ${on}: unit tests run DuckDB SQL`, 'run unit tests against a DuckDB target (--target dev), or leave them out: --exclude "resource_type:unit_test"');
    }
    if (n.resourceType === 'snapshot' && !can.snapshots) {
      refuse(n, `snapshot ${n.name} cannot run ${on}: snapshots run DuckDB SQL`, 'build snapshots on a DuckDB target, or leave them out: --exclude "resource_type:snapshot"');
    }
    if (n.resourceType === 'model' && n.mat.kind === 'file' && !can.files) {
      refuse(n, `model ${n.name} is a file model, which cannot be written ${on}`, 'materialize it as a table (materialized="table"), or build file models on a DuckDB target');
    }
    if (n.resourceType === 'model' && strategyOn(n, target) === 'merge' && !can.merge) {
      refuse(n, `model ${n.name} uses incremental_strategy "merge", which ${engine} cannot do`, 'use incremental_strategy="delete+insert" (with its unique_key) or "append"');
    }
    if (!can.files && n.resourceType !== 'unit_test' && n.resourceType !== 'seed') {
      for (const parent of runParents(p, id)) {
        const src = p.nodes.get(parent);
        if (src?.resourceType === 'source' && src.kind === 'file' && !fileSources.has(src.id)) {
          fileSources.add(src.id);
          refuse(src, `source ${src.sourceName}.${src.name} reads files (${src.location ?? ''}), which ${engine} cannot do ${on}`, `load the files into a ${engine} table and declare the source as that table`);
        }
      }
    }
  }
  return out;
}

function lineOf(n: Node): { line?: number } {
  const line = (n as { line?: unknown }).line;
  return typeof line === 'number' ? { line } : {};
}
