import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { idOf } from '../../../src/parse/nodes.js';
import { parseProject } from '../../../src/parse/parse-project.js';
import type { TemplateCache } from '../../../src/template/cache.js';
import type { TemplateIR } from '../../../src/template/ir.js';
import { ROOT, codes, memoryProject, parse } from '../compile/memory-project.js';

const SOURCES = `sources:
  - name: shop
    options: {header: true}
    tables:
      - name: orders
        location: staging/orders/*.parquet
        options: {hive_partitioning: true}
      - name: payments
        location: staging/payments.csv
      - name: events
        location: staging/events.ndjson
      - name: customers
        schema: raw
        identifier: customer_table
`;

describe('parseProject: nodes and the DAG', () => {
  it('builds model, seed, source and test nodes with dbt-style ids', () => {
    const p = parse({
      'etlx.yml': 'name: shop\n',
      'models/sources.yml': SOURCES,
      'seeds/countries.csv': 'code\nGB\n',
      'models/staging/stg_orders.sql': 'select * from {{source "shop" "orders"}} join {{ref "countries"}} using (code)',
      'models/marts/fct.sql': 'select * from {{ref "stg_orders"}}',
      'tests/assert_x.sql': 'select * from {{ref "fct"}} where false',
    });
    expect(p.diagnostics).toEqual([]);
    expect([...p.nodes.keys()].sort()).toEqual([
      'model.shop.fct',
      'model.shop.stg_orders',
      'seed.shop.countries',
      'source.shop.shop.customers',
      'source.shop.shop.events',
      'source.shop.shop.orders',
      'source.shop.shop.payments',
      'test.shop.assert_x',
    ]);
    expect(p.dag.parents('model.shop.stg_orders')).toEqual(['seed.shop.countries', 'source.shop.shop.orders']);
    expect(p.dag.children('model.shop.stg_orders')).toEqual(['model.shop.fct']);
    expect(p.dag.topoOrder().indexOf('model.shop.fct')).toBeGreaterThan(p.dag.topoOrder().indexOf('model.shop.stg_orders'));
    expect(p.models.get('fct')).toMatchObject({ path: 'models/marts/fct.sql', absPath: path.join(ROOT, 'models/marts/fct.sql'), fqn: ['marts'], packageName: 'shop' });
    expect(idOf.source('p', 's', 't')).toBe('source.p.s.t');
  });

  it('reads sources: files with their format and merged options, and warehouse tables', () => {
    const p = parse({ 'models/sources.yml': SOURCES });
    expect(p.sources.get('shop.orders')).toMatchObject({
      kind: 'file',
      location: 'staging/orders/*.parquet',
      absLocation: path.join(ROOT, 'staging/orders/*.parquet'),
      format: 'parquet',
      options: { header: true, hive_partitioning: true },
    });
    expect(p.sources.get('shop.payments')).toMatchObject({ format: 'csv' });
    expect(p.sources.get('shop.events')).toMatchObject({ format: 'ndjson' });
    expect(p.sources.get('shop.customers')).toMatchObject({ kind: 'table', schema: 'raw', identifier: 'customer_table' });
  });

  it('source freshness needs a loaded_at_field', () => {
    const bad = parse({ 'models/s.yml': 'sources:\n  - name: s\n    tables:\n      - name: t\n        freshness: {warn_after: {count: 1, period: hour}}\n' });
    expect(bad.diagnostics).toMatchObject([{ code: 'E_FRESHNESS', file: 'models/s.yml', line: 4 }]);
    const ok = parse({ 'models/s.yml': 'sources:\n  - name: s\n    loaded_at_field: ts\n    tables:\n      - name: t\n        freshness: {error_after: {count: 2, period: day}}\n' });
    expect(ok.sources.get('s.t')!.freshness).toEqual({ loadedAtField: 'ts', errorAfter: { count: 2, period: 'day' } });
  });

  it('properties give descriptions and columns', () => {
    const p = parse({ 'models/a.sql': 'select 1 as id', 'models/a.yml': 'version: 2\nmodels:\n  - name: a\n    description: The A model.\n    columns:\n      - name: id\n        description: Key.\n        data_type: integer\n' });
    expect(p.models.get('a')).toMatchObject({ description: 'The A model.', columns: [{ name: 'id', description: 'Key.', data_type: 'integer' }] });
  });

  it('a disabled model is not in the graph, and a ref to it is an error', () => {
    const p = parse({ 'models/a.sql': '{{config enabled=false}}select 1', 'models/b.sql': 'select * from\n {{ref "a"}}' });
    expect(p.nodes.has('model.proj.a')).toBe(false);
    expect(p.diagnostics).toMatchObject([{ code: 'E_REF_DISABLED', file: 'models/b.sql', line: 2, column: 2 }]);
  });

  it('macros are named by their path under macros/, and models record the macros they use, through other macros', () => {
    const p = parse({
      'macros/finance/cents.sql': 'cast({{c}} / 100 as decimal(18,2))',
      'macros/money.sql': '{{> finance/cents c=col}}',
      'macros/unused.sql': 'x',
      'models/a.sql': 'select {{> money col="amount"}}',
    });
    expect(p.diagnostics).toEqual([]);
    expect([...p.macros.keys()].sort()).toEqual(['finance/cents', 'money', 'unused']);
    expect(p.models.get('a')!.macros).toEqual(['finance/cents', 'money']);
  });

  it('a ref inside a macro is a dependency of the model using it', () => {
    const p = parse({ 'macros/from_orders.sql': 'from {{ref "orders"}}', 'models/orders.sql': 'select 1', 'models/a.sql': 'select * {{> from_orders}}' });
    expect(p.dag.parents('model.proj.a')).toEqual(['model.proj.orders']);
  });

  it('custom model-paths and macro-paths are honoured', () => {
    const p = parse({ 'etlx.yml': 'name: proj\nmodel-paths: [src]\nmacro-paths: [lib]\n', 'src/x/a.sql': 'select {{> m}}', 'lib/m.sql': '1' });
    expect(p.diagnostics).toEqual([]);
    expect(p.models.get('a')).toMatchObject({ fqn: ['x'] });
    expect([...p.macros.keys()]).toEqual(['m']);
  });
});

describe('parseProject: problems', () => {
  it('a ref to a missing model is E_REF_NOT_FOUND at file:line:col with a did-you-mean', () => {
    const p = parse({ 'models/customers.sql': 'select 1', 'models/orders.sql': 'select *\nfrom x\njoin {{ref "custmers"}} using (id)' });
    expect(p.diagnostics).toEqual([
      {
        code: 'E_REF_NOT_FOUND',
        message: 'ref "custmers" not found; did you mean "customers"?',
        file: 'models/orders.sql',
        line: 3,
        column: 6,
        hint: 'change it to {{ref "customers"}}',
      },
    ]);
  });

  it('a ref with nothing close has a hint on what refs name', () => {
    const p = parse({ 'models/a.sql': 'select * from {{ref "zzz_unknown"}}' });
    expect(p.diagnostics[0]).toMatchObject({ code: 'E_REF_NOT_FOUND', message: 'ref "zzz_unknown" not found', hint: 'a ref names a model (models/**/<name>.sql) or a seed (seeds/<name>.csv)' });
  });

  it('a ref to a missing model used in a macro names the model file', () => {
    const p = parse({ 'macros/m.sql': '{{ref "nope"}}', 'models/a.sql': 'select * from {{> m}}' });
    expect(p.diagnostics).toMatchObject([{ code: 'E_REF_NOT_FOUND', file: 'models/a.sql', message: 'ref "nope" not found (used in a macro)' }]);
  });

  it('a missing source is E_SOURCE_NOT_FOUND with a did-you-mean', () => {
    const p = parse({ 'models/sources.yml': SOURCES, 'models/a.sql': 'select *\n  from {{source "shop" "order"}}' });
    expect(p.diagnostics).toEqual([
      {
        code: 'E_SOURCE_NOT_FOUND',
        message: 'source "shop" "order" not found; did you mean "shop" "orders"?',
        file: 'models/a.sql',
        line: 2,
        column: 8,
        hint: 'declare table order under source shop in a models/*.yml file',
      },
    ]);
    const unknownSource = parse({ 'models/a.sql': 'select * from {{source "crm" "accounts"}}' });
    expect(unknownSource.diagnostics[0]!.hint).toBe('declare it in a models/*.yml file: sources: [{name: crm, tables: [{name: accounts, location: ...}]}]');
  });

  it('two models with the same name are E_DUPLICATE_NAME naming both files', () => {
    const p = parse({ 'models/a/orders.sql': 'select 1', 'models/b/orders.sql': 'select 2' });
    expect(p.diagnostics).toEqual([
      {
        code: 'E_DUPLICATE_NAME',
        message: 'two models are named "orders": models/a/orders.sql and models/b/orders.sql',
        file: 'models/b/orders.sql',
        line: 1,
        hint: 'model names are file names and must be unique across the project; rename one file',
      },
    ]);
  });

  it('a seed and a model with the same name are an error', () => {
    const p = parse({ 'models/countries.sql': 'select 1', 'seeds/countries.csv': 'a\n1\n' });
    expect(codes(p.diagnostics)).toEqual(['E_DUPLICATE_NAME']);
    expect(p.diagnostics[0]!.file).toBe('seeds/countries.csv');
  });

  it('a cycle is E_CYCLE with the whole path and the line of the ref that closes it', () => {
    const p = parse({ 'models/a.sql': 'select *\nfrom {{ref "b"}}', 'models/b.sql': 'select * from {{ref "a"}}' });
    expect(p.diagnostics).toEqual([
      {
        code: 'E_CYCLE',
        message: 'dependency cycle: a -> b -> a',
        file: 'models/a.sql',
        line: 2,
        column: 6,
        hint: 'files in the cycle: models/a.sql, models/b.sql; break it by removing one ref',
      },
    ]);
  });

  it('a longer cycle lists every model in it, and only those', () => {
    const p = parse({
      'models/a.sql': 'select * from {{ref "c"}}',
      'models/b.sql': 'select * from {{ref "a"}}',
      'models/c.sql': 'select * from {{ref "b"}}',
      'models/d.sql': 'select * from {{ref "a"}}',
    });
    expect(p.diagnostics).toHaveLength(1);
    expect(p.diagnostics[0]).toMatchObject({ code: 'E_CYCLE', message: 'dependency cycle: a -> b -> c -> a', file: 'models/a.sql', line: 1, column: 15 });
    expect(p.diagnostics[0]!.hint).toBe('files in the cycle: models/a.sql, models/b.sql, models/c.sql; break it by removing one ref');
  });

  it('a model that refs itself is a cycle pointing at {{self}}', () => {
    const p = parse({ 'models/a.sql': 'select * from {{ref "a"}}' });
    expect(p.diagnostics).toMatchObject([{ code: 'E_CYCLE', message: 'model refs itself: a -> a', line: 1, column: 15 }]);
    expect(p.diagnostics[0]!.hint).toContain('{{self}}');
  });

  it('a missing macro is E_MACRO_NOT_FOUND at the partial call, with a did-you-mean', () => {
    const p = parse({ 'macros/cents_to_dollars.sql': 'x', 'models/a.sql': 'select\n  {{> cents_to_dolars column="x"}}' });
    expect(p.diagnostics).toEqual([
      {
        code: 'E_MACRO_NOT_FOUND',
        message: 'macro "cents_to_dolars" not found; did you mean "cents_to_dollars"?',
        file: 'models/a.sql',
        line: 2,
        column: 3,
        hint: 'macros are files in macros/: {{> cents_to_dolars}} reads macros/cents_to_dolars.sql',
      },
    ]);
  });

  it('template problems carry the file', () => {
    const p = parse({ 'models/a.sql': 'select 1\n{{#if x}}\n', 'macros/m.sql': '{{ref x}}' });
    expect(p.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'E_TEMPLATE_SYNTAX', file: 'models/a.sql', line: 2 }),
        expect.objectContaining({ code: 'E_REF_NOT_LITERAL', file: 'macros/m.sql', line: 1 }),
      ]),
    );
  });

  it('properties for a model that does not exist are reported with a did-you-mean', () => {
    const p = parse({ 'models/orders.sql': 'select 1', 'models/p.yml': 'models:\n  - name: order\n' });
    expect(p.diagnostics).toMatchObject([{ code: 'E_PROPERTIES_UNKNOWN_MODEL', file: 'models/p.yml', line: 2, message: 'properties for model "order", but there is no models/**/order.sql; did you mean "orders"?' }]);
  });

  it('a model described twice is E_DUPLICATE_PROPERTIES', () => {
    const p = parse({ 'models/a.sql': 'select 1', 'models/p.yml': 'models:\n  - name: a\n', 'models/q.yml': 'models:\n  - name: a\n' });
    expect(p.diagnostics).toMatchObject([{ code: 'E_DUPLICATE_PROPERTIES', file: 'models/q.yml', line: 2, message: 'model "a" is described twice (also at models/p.yml:2)' }]);
  });

  it('a properties file with a YAML error or an unknown key is reported with its line', () => {
    const p = parse({ 'models/a.sql': 'select 1', 'models/p.yml': 'models:\n  - name: a\n    descripton: x\n', 'models/q.yml': 'models: [\n' });
    expect(p.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'E_CONFIG_UNKNOWN_KEY', file: 'models/p.yml', line: 3, message: 'unknown key "descripton" in "models[0]"; did you mean "description"?' }),
        expect.objectContaining({ code: 'E_YAML_SYNTAX', file: 'models/q.yml' }),
      ]),
    );
  });

  it('dbt pre-hook spelling inside a properties config is accepted', () => {
    const p = parse({ 'models/a.sql': 'select 1', 'models/p.yml': 'models:\n  - name: a\n    config:\n      pre-hook: "select 1"\n' });
    expect(p.diagnostics).toEqual([]);
    expect(p.models.get('a')!.config.pre_hook).toEqual(['select 1']);
  });

  it('collects the problems of every file in one pass', () => {
    const p = parse({
      'models/a.sql': 'select * from {{ref "nope"}}',
      'models/b.sql': '{{config materialized="tabel"}}select 1',
      'models/c.sql': 'select {{> missing}}',
      'models/p.yml': 'models:\n  - name: a\n    tests: [not_a_test]\n',
    });
    expect(codes(p.diagnostics).sort()).toEqual(['E_CONFIG_VALUE', 'E_MACRO_NOT_FOUND', 'E_REF_NOT_FOUND', 'E_TEST_UNKNOWN']);
  });
});

describe('parseProject: template cache', () => {
  class MemoryCache implements TemplateCache {
    readonly map = new Map<string, TemplateIR>();
    gets = 0;
    hits = 0;
    get(checksum: string) {
      this.gets++;
      const hit = this.map.get(checksum);
      if (hit) this.hits++;
      return hit;
    }
    set(checksum: string, ir: TemplateIR) {
      this.map.set(checksum, ir);
    }
  }

  it('stores parsed templates by checksum and reuses them on the next parse', () => {
    const files = memoryProject({ 'models/a.sql': 'select * from {{ref "b"}}', 'models/b.sql': 'select 1', 'macros/m.sql': 'x' });
    const cache = new MemoryCache();
    const first = parseProject(files, cache);
    expect(cache.map.size).toBe(3);
    expect(cache.hits).toBe(0);
    const second = parseProject(files, cache);
    expect(cache.hits).toBe(3);
    expect(second.models.get('a')!.ir).toEqual(first.models.get('a')!.ir);
    expect(second.dag.parents('model.proj.a')).toEqual(['model.proj.b']);
  });

  it('a template with problems is not cached', () => {
    const cache = new MemoryCache();
    parseProject(memoryProject({ 'models/a.sql': '{{ref x}}' }), cache);
    expect(cache.map.size).toBe(0);
  });
});
