import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, STACK_LINE, copyDemo, copyFixture, ensureBuilt, etlx, lines, readJson, removeTempDirs, tempDir } from './helpers.js';

interface Manifest {
  metadata: { schema_version: string; etlx_version: string; generated_at: string; invocation_id: string; project_name: string };
  nodes: Record<string, { unique_id: string; resource_type: string; name: string; path: string; depends_on: { nodes: string[]; macros: string[] }; checksum: { checksum: string }; compiled_code?: string; config: Record<string, unknown> }>;
  sources: Record<string, { unique_id: string; location?: string }>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
}

const DEMO_MODELS = [
  'customer_funnel',
  'customer_revenue',
  'daily_revenue',
  'dim_customers',
  'dim_products',
  'export_daily_revenue',
  'export_purchase_events',
  'fct_events',
  'fct_orders',
  'int_order_payments',
  'stg_customers',
  'stg_events',
  'stg_orders',
  'stg_payments',
  'stg_products',
];

const VERSION = readJson<{ version: string }>(path.join(path.dirname(BIN), '..', 'package.json')).version;

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

describe('etlx --version', () => {
  it('prints the package version', () => {
    const r = etlx(['--version'], tempDir());
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
  });
});

describe('etlx compile on the demo project', () => {
  let dir: string;
  let first: ReturnType<typeof etlx>;
  let manifestText: string;
  let manifest: Manifest;

  beforeAll(() => {
    dir = copyDemo();
    first = etlx(['compile'], dir);
    manifestText = fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8');
    manifest = JSON.parse(manifestText) as Manifest;
  });

  it('exits 0 and says what it compiled', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Compiled 15 models and 60 tests into target\/compiled\n$/);
  });

  it('writes the compiled SQL of models, generic tests and singular tests under target/compiled', () => {
    const compiled = path.join(dir, 'target', 'compiled');
    const fct = fs.readFileSync(path.join(compiled, 'models', 'marts', 'fct_orders.sql'), 'utf8');
    expect(fct.startsWith('with "__etlx_cte__int_order_payments" as (')).toBe(true);
    expect(fct).toContain('left join "main"."dim_products" as products');
    expect(fct).not.toContain('{{');
    const generic = fs.readFileSync(path.join(compiled, 'models', 'marts', '_marts.yml', 'relationships_fct_orders_customer_id.sql'), 'utf8');
    expect(generic).toBe(
      'select count(*) as failures from (\nselect model."customer_id" as from_field\nfrom "main"."fct_orders" as model\nleft join "main"."dim_customers" as parent on model."customer_id" = parent."customer_id"\nwhere model."customer_id" is not null and parent."customer_id" is null\n) as etlx_failures\n',
    );
    expect(fs.existsSync(path.join(compiled, 'tests', 'assert_orders_fully_paid.sql'))).toBe(true);
    expect(fs.existsSync(path.join(compiled, 'models', 'sources.yml', 'unique_shop_orders_order_id.sql'))).toBe(true);
    // Staging paths are relative to the project in what etlx writes.
    const stg = fs.readFileSync(path.join(compiled, 'models', 'staging', 'stg_orders.sql'), 'utf8');
    expect(stg).toContain("read_parquet('staging/orders/*/*.parquet', hive_partitioning=true)");
  });

  it('writes manifest.json: versioned metadata, nodes keyed by id, parent and child maps', () => {
    expect(manifest.metadata).toMatchObject({ schema_version: 'etlx/manifest/v1', etlx_version: VERSION, project_name: 'shop_warehouse' });
    expect(Number.isNaN(Date.parse(manifest.metadata.generated_at))).toBe(false);
    expect(manifest.metadata.invocation_id).toMatch(/^[0-9a-f-]{36}$/);
    const models = Object.keys(manifest.nodes).filter((id) => id.startsWith('model.'));
    expect(models.sort()).toEqual(DEMO_MODELS.map((m) => `model.shop_warehouse.${m}`));
    const fct = manifest.nodes['model.shop_warehouse.fct_orders']!;
    expect(fct).toMatchObject({ unique_id: 'model.shop_warehouse.fct_orders', resource_type: 'model', name: 'fct_orders', path: 'models/marts/fct_orders.sql' });
    expect(fct.depends_on.nodes).toEqual(['model.shop_warehouse.dim_products', 'model.shop_warehouse.int_order_payments', 'model.shop_warehouse.stg_orders']);
    expect(fct.checksum.checksum).toMatch(/^[0-9a-f]{40}$/);
    expect(fct.compiled_code).toContain('"__etlx_cte__int_order_payments"');
    expect(Object.keys(manifest.nodes)).toContain('seed.shop_warehouse.customers');
    expect(Object.keys(manifest.nodes)).toContain('test.shop_warehouse.relationships_fct_orders_customer_id');
    expect(Object.keys(manifest.sources).sort()).toEqual(['source.shop_warehouse.shop.events', 'source.shop_warehouse.shop.orders', 'source.shop_warehouse.shop.payments']);
    expect(manifest.sources['source.shop_warehouse.shop.orders']!.location).toBe('staging/orders/*/*.parquet');
  });

  it('parent_map and child_map mirror each other and cover every node and source', () => {
    const ids = [...Object.keys(manifest.nodes), ...Object.keys(manifest.sources)].sort();
    expect(Object.keys(manifest.parent_map).sort()).toEqual(ids);
    expect(Object.keys(manifest.child_map).sort()).toEqual(ids);
    for (const [child, parents] of Object.entries(manifest.parent_map)) {
      for (const parent of parents) expect(manifest.child_map[parent], `${parent} -> ${child}`).toContain(child);
    }
    for (const [parent, children] of Object.entries(manifest.child_map)) {
      for (const child of children) expect(manifest.parent_map[child]).toContain(parent);
    }
    expect(manifest.parent_map['model.shop_warehouse.stg_orders']).toEqual(['source.shop_warehouse.shop.orders']);
  });

  it('keeps the machine out of the manifest: no absolute path of the project', () => {
    expect(manifestText).not.toContain(dir);
  });

  it('a second compile gives a byte-identical manifest apart from generated_at and invocation_id, and reads the template cache', () => {
    const cacheFile = path.join(dir, 'target', '.cache', 'templates.json');
    const cache = readJson<{ version: number; entries: Record<string, { body: { k: string; v?: string }[] }> }>(cacheFile);
    // 15 models, 2 singular tests and 1 macro, keyed by checksum.
    expect(Object.keys(cache.entries)).toHaveLength(18);

    const second = etlx(['compile'], dir);
    expect(second.code).toBe(0);
    const again = fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8');
    const again_ = JSON.parse(again) as Manifest;
    expect(again_.metadata.invocation_id).not.toBe(manifest.metadata.invocation_id);
    const blank = (text: string, m: Manifest) => text.replace(m.metadata.generated_at, 'T').replace(m.metadata.invocation_id, 'I');
    expect(blank(again, again_)).toBe(blank(manifestText, manifest));

    // Prove the cache is read: doctor the cached template of stg_customers and compile again.
    const checksum = manifest.nodes['model.shop_warehouse.stg_customers']!.checksum.checksum;
    const entry = cache.entries[checksum]!;
    const text = entry.body.find((s) => s.k === 'text')!;
    text.v = `-- served from the template cache\n${text.v}`;
    fs.writeFileSync(cacheFile, JSON.stringify(cache));
    expect(etlx(['compile'], dir).code).toBe(0);
    const compiledFile = path.join(dir, 'target', 'compiled', 'models', 'staging', 'stg_customers.sql');
    expect(fs.readFileSync(compiledFile, 'utf8')).toContain('-- served from the template cache');

    // Editing the file changes its checksum: the stale entry is not used.
    fs.appendFileSync(path.join(dir, 'models', 'staging', 'stg_customers.sql'), '\n-- edited\n');
    expect(etlx(['compile'], dir).code).toBe(0);
    const recompiled = fs.readFileSync(compiledFile, 'utf8');
    expect(recompiled).not.toContain('served from the template cache');
    expect(recompiled).toContain('-- edited');
    expect(Object.keys(readJson<{ entries: object }>(cacheFile).entries)).not.toContain(checksum);
  });

  it('--log-format json prints one JSON event per line, all with the same invocation id', () => {
    const r = etlx(['compile', '--log-format', 'json'], dir);
    expect(r.code).toBe(0);
    const events = lines(r.stdout).map((l) => JSON.parse(l) as { ts: string; invocation_id: string; type: string; message?: string });
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(Number.isNaN(Date.parse(e.ts))).toBe(false);
      expect(typeof e.type).toBe('string');
    }
    expect(new Set(events.map((e) => e.invocation_id)).size).toBe(1);
    expect(events.some((e) => e.type === 'info' && /Compiled 15 models/.test(e.message ?? ''))).toBe(true);
  });

  it('appends the JSON events to target/logs/etlx.log', () => {
    const log = lines(fs.readFileSync(path.join(dir, 'target', 'logs', 'etlx.log'), 'utf8'));
    expect(log.length).toBeGreaterThan(0);
    for (const l of log) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('--select limits what is written to target/compiled', () => {
    const d = copyDemo();
    expect(etlx(['compile', '--select', 'stg_orders'], d).code).toBe(0);
    expect(fs.existsSync(path.join(d, 'target', 'compiled', 'models', 'staging', 'stg_orders.sql'))).toBe(true);
    expect(fs.existsSync(path.join(d, 'target', 'compiled', 'models', 'marts', 'fct_orders.sql'))).toBe(false);
  });
});

describe('etlx compile on broken projects', () => {
  it('exits 2 with located diagnostics and no stack trace', () => {
    const d = copyFixture('broken', 'ref-missing-model');
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error models/report.sql:2:6 ref "stg_ordrs" not found; did you mean "stg_orders"?\n  hint: change it to {{ref "stg_orders"}}\n');
    expect(r.stderr).not.toContain('    at ');
    expect(r.stdout).toBe('');
  });

  it('reports SQL syntax errors of several models together, before anything runs', () => {
    const d = copyFixture('broken', 'two-sql-syntax-errors');
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error models/first.sql:3:');
    expect(r.stderr).toContain('error models/second.sql:4:');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(fs.readdirSync(d).some((f) => f.endsWith('.duckdb'))).toBe(false);
  });

  it('--debug adds the stack trace', () => {
    const d = copyFixture('broken', 'cycle');
    const r = etlx(['compile', '--debug'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error models/a.sql:1:15 dependency cycle: a -> b -> a');
    expect(r.stderr).toContain('    at ');
  });

  it('with --log-format json, the diagnostics are JSON events with their codes', () => {
    const d = copyFixture('broken', 'cycle');
    const r = etlx(['compile', '--log-format', 'json'], d);
    expect(r.code).toBe(2);
    const events = lines(r.stdout).map((l) => JSON.parse(l) as { type: string; diagnostic: { code: string; file: string; line: number } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'diagnostic', diagnostic: { code: 'E_CYCLE', file: 'models/a.sql', line: 1, severity: 'error' } });
  });

  it('a folder without etlx.yml is exit 2 with a hint', () => {
    const r = etlx(['compile'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error no etlx\.yml in .*\n {2}hint: run etlx inside a project folder/);
  });

  it('--project-dir points at a project from elsewhere', () => {
    const d = copyFixture('valid', 'minimal');
    const r = etlx(['compile', '--project-dir', d], tempDir());
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(d, 'target', 'manifest.json'))).toBe(true);
  });

  it('an unknown option or command is exit 2', () => {
    const d = tempDir();
    expect(etlx(['compile', '--no-such-flag'], d).code).toBe(2);
    expect(etlx(['frobnicate'], d).code).toBe(2);
  });
});

describe('etlx ls on the demo project', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyDemo();
  });
  const ls = (...args: string[]) => {
    const r = etlx(['ls', ...args], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return lines(r.stdout);
  };

  it('lists every node by name by default, sources as source.table', () => {
    const names = ls();
    for (const m of DEMO_MODELS) expect(names).toContain(m);
    expect(names).toContain('customers');
    expect(names).toContain('shop.orders');
    expect(names).toContain('assert_orders_fully_paid');
    expect(names).toHaveLength(15 + 3 + 3 + 60);
  });

  it('--output path gives each file once', () => {
    const paths = ls('--resource-type', 'model', '--output', 'path');
    expect(paths).toHaveLength(15);
    expect(paths).toContain('models/marts/fct_orders.sql');
    expect(ls('--output', 'path', '--resource-type', 'source')).toEqual(['models/sources.yml']);
  });

  it('--output json gives one object per line', () => {
    const objs = ls('--output', 'json', '--select', 'fct_orders', '--resource-type', 'model').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs).toEqual([
      {
        unique_id: 'model.shop_warehouse.fct_orders',
        resource_type: 'model',
        name: 'fct_orders',
        path: 'models/marts/fct_orders.sql',
        tags: ['marts', 'finance'],
        materialized: 'table',
        relation: '"main"."fct_orders"',
      },
    ]);
  });

  it('--select +fct_orders is the model and its ancestors', () => {
    expect(ls('--select', '+fct_orders', '--resource-type', 'model', 'seed', 'source')).toEqual([
      'dim_products',
      'fct_orders',
      'int_order_payments',
      'stg_orders',
      'stg_payments',
      'stg_products',
      'product_catalog',
      'shop.orders',
      'shop.payments',
    ]);
  });

  it('--select fct_orders+ is the model and its descendants', () => {
    expect(ls('--select', 'fct_orders+', '--resource-type', 'model')).toEqual(['customer_revenue', 'daily_revenue', 'export_daily_revenue', 'fct_orders']);
  });

  it('--select tag:staging picks the staging folder', () => {
    expect(ls('--select', 'tag:staging', '--resource-type', 'model')).toEqual(['stg_customers', 'stg_events', 'stg_orders', 'stg_payments', 'stg_products']);
  });

  it('--exclude removes from the selection', () => {
    expect(ls('--select', 'tag:staging', '--exclude', 'stg_events', 'stg_orders', '--resource-type', 'model')).toEqual(['stg_customers', 'stg_payments', 'stg_products']);
  });

  it('--select config.materialized:table picks the tables', () => {
    expect(ls('--select', 'config.materialized:table', '--resource-type', 'model')).toEqual([
      'customer_funnel',
      'customer_revenue',
      'daily_revenue',
      'dim_customers',
      'dim_products',
      'fct_orders',
    ]);
  });

  it('comma intersects, space unions', () => {
    expect(ls('--select', 'tag:finance,config.materialized:table', '--resource-type', 'model')).toEqual(['customer_revenue', 'daily_revenue', 'fct_orders']);
    expect(ls('--select', 'stg_orders stg_events', '--resource-type', 'model')).toEqual(['stg_events', 'stg_orders']);
  });

  it('an unknown selector method is exit 2 with a hint', () => {
    const r = etlx(['ls', '--select', 'colour:red'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error unknown selector method "colour" in "colour:red"');
    expect(r.stderr).toContain('hint: valid methods: tag:, path:');
    expect(r.stderr).not.toContain('    at ');
  });

  it('a misspelt model name is exit 2 with a did-you-mean', () => {
    const r = etlx(['ls', '--select', 'fct_ordrs'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "fct_orders"?');
  });

  it('a reader that stops early (ls | head) is not a crash', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ls --output json | head -n 1; exit "\${PIPESTATUS[0]}"`], { cwd: dir, encoding: 'utf8' });
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).not.toContain('    at ');
    expect(r.status).toBe(0);
  });
});

describe('etlx init', () => {
  it('scaffolds a project that compiles', () => {
    const parent = tempDir();
    const r = etlx(['init', 'new_shop'], parent);
    expect(r.code).toBe(0);
    const d = path.join(parent, 'new_shop');
    expect(r.stdout).toContain(`Created a project in ${d}`);
    for (const f of ['etlx.yml', 'profiles.example.yml', '.gitignore', 'models/schema.yml', 'seeds/orders.csv', 'macros/money.sql', 'tests/assert_revenue_not_negative.sql']) {
      expect(fs.existsSync(path.join(d, f)), f).toBe(true);
    }
    expect(fs.readFileSync(path.join(d, 'etlx.yml'), 'utf8')).toMatch(/^name: new_shop\n/);
    const c = etlx(['compile'], d);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('Compiled 2 models and 7 tests');
    expect(fs.readFileSync(path.join(d, 'target', 'compiled', 'models', 'marts', 'customer_revenue.sql'), 'utf8')).toContain(
      "round(coalesce(sum(o.amount) filter (where o.status = 'paid'), 0), 2) as revenue",
    );
  });

  it('refuses to overwrite an existing project (exit 2)', () => {
    const d = tempDir();
    expect(etlx(['init', '.'], d).code).toBe(0);
    const again = etlx(['init', '.'], d);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(again.stderr).toContain('hint: run etlx init with a new folder name');
  });

  it('names the project after a folder, made safe as an identifier', () => {
    const parent = tempDir();
    expect(etlx(['init', 'my-shop 2'], parent).code).toBe(0);
    expect(fs.readFileSync(path.join(parent, 'my-shop 2', 'etlx.yml'), 'utf8')).toMatch(/^name: my_shop_2\n/);
    expect(etlx(['compile'], path.join(parent, 'my-shop 2')).code).toBe(0);
  });
});

describe('etlx clean', () => {
  it('removes target/ and nothing else', () => {
    const d = copyFixture('valid', 'minimal');
    expect(etlx(['compile'], d).code).toBe(0);
    fs.writeFileSync(path.join(d, 'minimal.duckdb'), 'not really a database');
    expect(fs.existsSync(path.join(d, 'target'))).toBe(true);
    const r = etlx(['clean'], d);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Removed target/\n');
    expect(fs.existsSync(path.join(d, 'target'))).toBe(false);
    expect(fs.existsSync(path.join(d, 'minimal.duckdb'))).toBe(true);
    expect(fs.existsSync(path.join(d, 'models', 'hello.sql'))).toBe(true);
  });

  it('honours target-path and refuses a target outside the project', () => {
    const d = copyFixture('valid', 'minimal');
    fs.writeFileSync(path.join(d, 'etlx.yml'), 'name: minimal\ntarget-path: build/out\n');
    expect(etlx(['compile'], d).code).toBe(0);
    expect(fs.existsSync(path.join(d, 'build', 'out', 'manifest.json'))).toBe(true);
    expect(etlx(['clean'], d).code).toBe(0);
    expect(fs.existsSync(path.join(d, 'build', 'out'))).toBe(false);

    fs.writeFileSync(path.join(d, 'etlx.yml'), 'name: minimal\ntarget-path: ..\n');
    const r = etlx(['clean'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to remove');
    expect(fs.existsSync(d)).toBe(true);
  });
});
