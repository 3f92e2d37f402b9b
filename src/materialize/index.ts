import type { ModelNode, Node, SeedNode, SnapshotNode, TestNode, UnitTestNode } from '../parse/nodes.js';
import { ephemeral } from './ephemeral.js';
import { file } from './file.js';
import { incremental } from './incremental.js';
import { seed } from './seed.js';
import { snapshot } from './snapshot.js';
import { table } from './table.js';
import { test } from './test.js';
import { unitTest } from './unit-test.js';
import type { Materialization } from './types.js';
import { view } from './view.js';
import { clickhouseIncremental } from './clickhouse/incremental.js';
import { clickhouseTable, clickhouseView } from './clickhouse/kinds.js';
import { clickhouseSeed, clickhouseTest } from './clickhouse/seed-test.js';

/** Every kind of node the run builds or checks; one module each. */
export type Kind = 'view' | 'table' | 'incremental' | 'ephemeral' | 'file' | 'seed' | 'test' | 'snapshot' | 'unit_test';

interface KindNodes {
  readonly view: ModelNode;
  readonly table: ModelNode;
  readonly incremental: ModelNode;
  readonly ephemeral: ModelNode;
  readonly file: ModelNode;
  readonly seed: SeedNode;
  readonly test: TestNode;
  readonly snapshot: SnapshotNode;
  readonly unit_test: UnitTestNode;
}

/** The registry: a Record, so a kind without a module does not compile. */
export const MATERIALIZATIONS: { readonly [K in Kind]: Materialization<KindNodes[K]> } = {
  view,
  table,
  incremental,
  ephemeral,
  file,
  seed,
  test,
  snapshot,
  unit_test: unitTest,
};

/**
 * ClickHouse's own kinds; the others are refused on ClickHouse targets before a run
 * (plan/engine-checks.ts), and ephemeral is the same everywhere (inlined at compile time).
 */
const CLICKHOUSE: Partial<{ readonly [K in Kind]: Materialization<KindNodes[K]> }> = {
  view: clickhouseView,
  table: clickhouseTable,
  incremental: clickhouseIncremental,
  seed: clickhouseSeed,
  test: clickhouseTest,
};

export type RunnableNode = ModelNode | SeedNode | TestNode | SnapshotNode | UnitTestNode;

export function kindOf(n: RunnableNode): Kind {
  switch (n.resourceType) {
    case 'model':
      return n.mat.kind;
    case 'seed':
      return 'seed';
    case 'test':
      return 'test';
    case 'snapshot':
      return 'snapshot';
    case 'unit_test':
      return 'unit_test';
    default: {
      const never: never = n;
      throw new Error(`no materialization for ${JSON.stringify(never)}`);
    }
  }
}

/** The kind's module for a node, typed for that node. */
export function materializationOf(n: RunnableNode, engine: 'duckdb' | 'clickhouse' = 'duckdb'): Materialization<RunnableNode> {
  const kind = kindOf(n);
  if (engine === 'clickhouse') return (CLICKHOUSE[kind] ?? MATERIALIZATIONS[kind]) as Materialization<RunnableNode>;
  return MATERIALIZATIONS[kind] as Materialization<RunnableNode>;
}

export function isRunnable(n: Node): n is RunnableNode {
  return n.resourceType !== 'source';
}
