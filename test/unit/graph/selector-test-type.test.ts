import { describe, expect, it } from 'vitest';
import { Dag } from '../../../src/graph/dag.js';
import { EtlxError } from '../../../src/errors/diagnostic.js';
import { parseSelector, selectNodes, type SelectableNode } from '../../../src/graph/selector.js';

const node = (id: string, resourceType: SelectableNode['resourceType'], testType?: SelectableNode['testType']): SelectableNode => ({
  id,
  name: id.split('.').pop()!,
  resourceType,
  path: 'models/x.sql',
  tags: [],
  config: {},
  packageName: 'shop',
  ...(testType ? { testType } : {}),
});

const NODES = [
  node('model.shop.orders', 'model'),
  node('snapshot.shop.customers_history', 'snapshot'),
  node('test.shop.not_null_orders_id', 'test', 'generic'),
  node('test.shop.assert_positive', 'test', 'singular'),
  node('unit_test.shop.orders.computes_total', 'unit_test', 'unit'),
];
const ctx = { nodes: new Map(NODES.map((n) => [n.id, n])), dag: Dag.build(NODES.map((n) => ({ id: n.id, deps: [] }))) };
const select = (...select: string[]) => selectNodes({ select, exclude: [] }, ctx);

describe('selectors: test_type and the new resource types', () => {
  it('test_type:unit picks unit tests; data picks generic and singular data tests', () => {
    expect(select('test_type:unit')).toEqual(['unit_test.shop.orders.computes_total']);
    expect(select('test_type:data')).toEqual(['test.shop.assert_positive', 'test.shop.not_null_orders_id']);
    expect(select('test_type:generic')).toEqual(['test.shop.not_null_orders_id']);
    expect(select('test_type:singular')).toEqual(['test.shop.assert_positive']);
  });

  it('resource_type:snapshot and resource_type:unit_test', () => {
    expect(select('resource_type:snapshot')).toEqual(['snapshot.shop.customers_history']);
    expect(select('resource_type:unit_test')).toEqual(['unit_test.shop.orders.computes_total']);
  });

  it('an unknown test_type is an error with a did-you-mean', () => {
    try {
      parseSelector(['test_type:units']);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(EtlxError);
      const d = (e as EtlxError).diagnostics[0]!;
      expect(d.message).toBe('unknown test_type "units" in selector "test_type:units"; did you mean "unit"?');
      expect(d.hint).toBe('test_type: takes one of data, generic, singular, unit');
    }
  });
});
