import { describe, expect, it } from 'vitest';
import { catalogName, STATE_CATALOG, warehouseRelation } from '../../../src/compile/relations.js';

describe('relation names are never ambiguous', () => {
  it("a catalog is named like DuckDB names it: the file's base name up to the first dot; memory for :memory:", () => {
    expect(catalogName('/p/analytics.duckdb')).toBe('analytics');
    expect(catalogName('/p/foo.bar.duckdb')).toBe('foo');
    expect(catalogName('/p/noext')).toBe('noext');
    expect(catalogName(':memory:')).toBe('memory');
  });

  it('a schema named like an open catalog gets the warehouse catalog; any other stays two-part', () => {
    const scope = { schema: 'main', path: '/p/analytics.duckdb', attach: [{ path: '/p/crm.duckdb' }, { path: '/p/x.duckdb', alias: 'raw' }] };
    expect(warehouseRelation(scope, 'main', 'm')).toBe('"main"."m"');
    expect(warehouseRelation(scope, 'marts', 'm')).toBe('"marts"."m"');
    for (const schema of ['analytics', 'ANALYTICS', 'temp', 'system', 'crm', 'raw', STATE_CATALOG]) {
      expect(warehouseRelation(scope, schema, 'm')).toBe(`"analytics"."${schema}"."m"`);
    }
  });

  it("a source's schema may name an attached catalog on purpose: only the warehouse's own names count", () => {
    const scope = { schema: 'main', path: '/p/analytics.duckdb', attach: [{ path: '/p/x.duckdb', alias: 'raw' }] };
    expect(warehouseRelation(scope, 'raw', 'orders', false)).toBe('"raw"."orders"');
    expect(warehouseRelation(scope, 'analytics', 'orders', false)).toBe('"analytics"."analytics"."orders"');
  });

  it('without a warehouse path (unit contexts) names stay two-part', () => {
    expect(warehouseRelation({ schema: 'main' }, 'temp', 'm')).toBe('"temp"."m"');
  });
});
