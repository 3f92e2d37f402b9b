/**
 * etlx docs generate on a small demo-like project in real DuckDB: catalog.json in dbt's shape
 * (file models and file sources included, ephemeral models absent), column lineage in the
 * manifest, the self-contained site, and no change to the warehouse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

interface CatalogEntry {
  unique_id: string;
  metadata: { type: string; schema: string | null; name: string; location?: string };
  columns: Record<string, { name: string; type: string; index: number }>;
}
interface Catalog {
  metadata: { schema_version: string; generated_at: string };
  nodes: Record<string, CatalogEntry>;
  sources: Record<string, CatalogEntry>;
  errors: string[] | null;
}
interface Manifest {
  nodes: Record<string, { columns: Record<string, { lineage?: { node: string; column: string; direct: boolean }[]; lineage_note?: string; description?: string }> }>;
}

const FILES: Record<string, string> = {
  'seeds/countries.csv': 'code,country_name\nDE,Germany\nFR,France\n',
  'models/sources.yml': 'sources:\n  - name: shop\n    tables:\n      - name: orders\n        location: staging/orders.parquet\n',
  'models/stg_orders.sql': 'select id as order_id, customer, amount_cents / 100.0 as amount, country from {{source "shop" "orders"}}\n',
  'models/int_big.sql': '{{config materialized="ephemeral"}}\nselect order_id, amount from {{ref "stg_orders"}} where amount > 1\n',
  'models/fct_orders.sql':
    '{{config materialized="table"}}\nwith o as (select * from {{ref "stg_orders"}})\nselect o.order_id, o.customer, c.country_name, o.amount, sum(o.amount) over (partition by o.customer) as customer_total, b.amount as big_amount\nfrom o\nleft join {{ref "countries"}} c on c.code = o.country\nleft join {{ref "int_big"}} b on b.order_id = o.order_id\n',
  'models/export_orders.sql': '{{config materialized="file" location="exports/orders.parquet"}}\nselect order_id, amount from {{ref "fct_orders"}}\n',
  'models/props.yml': 'models:\n  - name: fct_orders\n    description: One row per order.\n    columns:\n      - name: order_id\n        description: The order.\n        tests: [unique, not_null]\n',
};

describe('etlx docs generate', () => {
  const p = new TestProject('docsproj', FILES, 'name: docsproj\nmodels:\n  materialized: view\n');
  let catalog: Catalog;
  let manifest: Manifest;
  let before: unknown;

  beforeAll(async () => {
    await p.copyTo('staging/orders.parquet', "select * from (values (1, 'ann', 250, 'DE'), (2, 'bob', 90, 'FR'), (3, 'ann', 1000, 'DE')) t(id, customer, amount_cents, country)");
    const b = await p.run('build');
    expect(b.code, b.output).toBe(0);
    before = await warehouseState(p);
    const r = await p.run('docs', 'generate');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Wrote target\/catalog\.json, target\/manifest\.json \(lineage for \d+ columns, 0 left with a note\) and target\/docs\/index\.html/);
    catalog = JSON.parse(p.read('target/catalog.json')) as Catalog;
    manifest = JSON.parse(p.read('target/manifest.json')) as Manifest;
  });
  afterAll(() => p.cleanup());

  it('writes catalog.json in dbt shape: models, seeds and sources with typed, indexed columns', () => {
    expect(catalog.metadata.schema_version).toBe('etlx/catalog/v1');
    expect(Object.keys(catalog.nodes).sort()).toEqual(['model.docsproj.export_orders', 'model.docsproj.fct_orders', 'model.docsproj.stg_orders', 'seed.docsproj.countries']);
    expect(Object.keys(catalog.sources)).toEqual(['source.docsproj.shop.orders']);
    expect(catalog.errors).toBeNull();
    const fct = catalog.nodes['model.docsproj.fct_orders']!;
    expect(fct.unique_id).toBe('model.docsproj.fct_orders');
    expect(fct.metadata).toMatchObject({ type: 'BASE TABLE', schema: 'main', name: 'fct_orders' });
    expect(Object.values(fct.columns).sort((a, b) => a.index - b.index).map((c) => c.name)).toEqual(['order_id', 'customer', 'country_name', 'amount', 'customer_total', 'big_amount']);
    expect(fct.columns.order_id).toEqual({ name: 'order_id', type: 'INTEGER', index: 1, comment: null });
    expect(catalog.nodes['model.docsproj.stg_orders']!.metadata.type).toBe('VIEW');
    expect(catalog.nodes['seed.docsproj.countries']!.columns.country_name).toMatchObject({ type: 'VARCHAR', index: 2 });
  });

  it('reads file models and file sources from their files', () => {
    const exp = catalog.nodes['model.docsproj.export_orders']!;
    expect(exp.metadata).toMatchObject({ type: 'file', schema: null, name: 'export_orders', location: 'exports/orders.parquet' });
    expect(Object.values(exp.columns).sort((a, b) => a.index - b.index).map((c) => c.name)).toEqual(['order_id', 'amount']);
    expect(exp.columns.order_id!.type).toBe('INTEGER');
    const src = catalog.sources['source.docsproj.shop.orders']!;
    expect(src.metadata.location).toBe('staging/orders.parquet');
    expect(Object.values(src.columns).sort((a, b) => a.index - b.index).map((c) => c.name)).toEqual(['id', 'customer', 'amount_cents', 'country']);
  });

  it('leaves ephemeral models out of the catalog', () => {
    expect(catalog.nodes['model.docsproj.int_big']).toBeUndefined();
  });

  it('changes nothing in the warehouse', async () => {
    expect(await warehouseState(p)).toEqual(before);
  });

  it('writes column lineage into the manifest, through CTEs, joins, ephemeral models and windows', () => {
    const cols = manifest.nodes['model.docsproj.fct_orders']!.columns;
    expect(cols.order_id).toMatchObject({ description: 'The order.', lineage: [{ node: 'model.docsproj.stg_orders', column: 'order_id', direct: true }] });
    expect(cols.country_name!.lineage).toEqual([{ node: 'seed.docsproj.countries', column: 'country_name', direct: true }]);
    expect(cols.customer_total!.lineage).toEqual([
      { node: 'model.docsproj.stg_orders', column: 'amount', direct: false },
      { node: 'model.docsproj.stg_orders', column: 'customer', direct: false },
    ]);
    expect(cols.big_amount!.lineage).toEqual([{ node: 'model.docsproj.int_big', column: 'amount', direct: true }]);
    expect(manifest.nodes['model.docsproj.int_big']!.columns.amount!.lineage).toEqual([{ node: 'model.docsproj.stg_orders', column: 'amount', direct: true }]);
    expect(manifest.nodes['model.docsproj.stg_orders']!.columns.amount!.lineage).toEqual([{ node: 'source.docsproj.shop.orders', column: 'amount_cents', direct: false }]);
    expect(manifest.nodes['model.docsproj.export_orders']!.columns.order_id!.lineage).toEqual([{ node: 'model.docsproj.fct_orders', column: 'order_id', direct: true }]);
  });

  it('writes one self-contained page with the data embedded, no network and no absolute paths', () => {
    const html = p.read('target/docs/index.html');
    expect(html).toContain('<script type="application/json" id="etlx-data">');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect(html).not.toContain(p.dir);
    const data = JSON.parse(/<script type="application\/json" id="etlx-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as { nodes: { name: string }[]; history: { invocations: unknown[] }; graph: { layout?: unknown } };
    expect(data.nodes.map((n) => n.name)).toEqual(expect.arrayContaining(['fct_orders', 'int_big', 'countries', 'shop.orders', 'export_orders']));
    expect(data.history.invocations).toHaveLength(1);
    expect(data.graph.layout).toBeDefined();
  });

  it('leaves compile and run without lineage', async () => {
    const r = await p.run('compile');
    expect(r.code, r.output).toBe(0);
    const m = JSON.parse(p.read('target/manifest.json')) as Manifest;
    expect(m.nodes['model.docsproj.fct_orders']!.columns.order_id!.lineage).toBeUndefined();
  });
});

describe('etlx docs generate before a build', () => {
  it('fails with E_NOT_BUILT and creates no warehouse', async () => {
    const p = new TestProject('nobuild', { 'models/a.sql': 'select 1 as x\n' });
    try {
      const r = await p.run('docs', 'generate', '--log-format', 'json');
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/"code":"E_NOT_BUILT"/);
      expect(r.output).toMatch(/build it first/);
      expect(p.exists('nobuild.duckdb')).toBe(false);
      expect(p.exists('target/docs/index.html')).toBe(false);
    } finally {
      p.cleanup();
    }
  });
});

describe('etlx docs generate over SQL the analysis cannot follow', () => {
  it('leaves the lineage empty with a note and still writes everything', async () => {
    const p = new TestProject('noted', {
      'models/base.sql': 'select 1 as a, 2 as b\n',
      'models/cols.sql': "select columns('a|b') from {{ref \"base\"}}\n",
    });
    try {
      expect((await p.run('build')).code).toBe(0);
      const r = await p.run('docs', 'generate');
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/2 left with a note/);
      const m = JSON.parse(p.read('target/manifest.json')) as Manifest;
      expect(m.nodes['model.noted.cols']!.columns.a).toEqual({ name: 'a', lineage: [], lineage_note: 'COLUMNS(...) is not followed' });
    } finally {
      p.cleanup();
    }
  });
});

async function warehouseState(p: TestProject): Promise<unknown> {
  const rels = await p.query(`select table_schema, table_name, table_type from information_schema.tables order by all`);
  const counts = [];
  for (const r of rels) counts.push((await p.query(`select count(*)::integer as n from "${String(r.table_schema)}"."${String(r.table_name)}"`))[0]!.n);
  return { rels, counts };
}
