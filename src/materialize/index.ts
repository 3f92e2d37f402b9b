import type { ModelNode, Node, SeedNode, TestNode } from '../parse/nodes.js';
import { ephemeral } from './ephemeral.js';
import { file } from './file.js';
import { incremental } from './incremental.js';
import { seed } from './seed.js';
import { table } from './table.js';
import { test } from './test.js';
import type { Materialization } from './types.js';
import { view } from './view.js';

/** Every kind of node the run builds or checks; one module each. */
export type Kind = 'view' | 'table' | 'incremental' | 'ephemeral' | 'file' | 'seed' | 'test';

interface KindNodes {
  readonly view: ModelNode;
  readonly table: ModelNode;
  readonly incremental: ModelNode;
  readonly ephemeral: ModelNode;
  readonly file: ModelNode;
  readonly seed: SeedNode;
  readonly test: TestNode;
}

/** The registry: a Record, so a kind without a module does not compile. */
export const MATERIALIZATIONS: { readonly [K in Kind]: Materialization<KindNodes[K]> } = { view, table, incremental, ephemeral, file, seed, test };

export type RunnableNode = ModelNode | SeedNode | TestNode;

export function kindOf(n: RunnableNode): Kind {
  switch (n.resourceType) {
    case 'model':
      return n.mat.kind;
    case 'seed':
      return 'seed';
    case 'test':
      return 'test';
    default: {
      const never: never = n;
      throw new Error(`no materialization for ${JSON.stringify(never)}`);
    }
  }
}

/** The kind's module for a node, typed for that node. */
export function materializationOf(n: RunnableNode): Materialization<RunnableNode> {
  return MATERIALIZATIONS[kindOf(n)] as Materialization<RunnableNode>;
}

export function isRunnable(n: Node): n is RunnableNode {
  return n.resourceType === 'model' || n.resourceType === 'seed' || n.resourceType === 'test';
}
