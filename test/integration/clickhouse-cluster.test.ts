/**
 * etlx on a two-shard ClickHouse cluster (two servers listing each other in remote_servers, no
 * ZooKeeper, started by the harness): sharded tables are a local table on every shard behind a
 * Distributed one; every shard holds part of each and the totals are right; a second night of
 * incremental models; a run killed mid-build is cleaned up by the next one. Runs in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chQuery, startClickHouseCluster, type ClickHouseCluster } from '../support/clickhouse.js';
import { count, leftovers, projectFiles, SEED_ROWS } from './clickhouse-project.js';
import { runWithFault, TestProject } from './helpers.js';

let cluster: ClickHouseCluster;
let p: TestProject;
let main: string;

beforeAll(async () => {
  cluster = await startClickHouseCluster();
  main = cluster.shards[0]!.url;
  // The README's cluster profile, with this cluster's URLs.
  const profile = `chc:\n  target: cluster\n  outputs:\n    cluster:\n      type: clickhouse\n      url: ${main}\n      database: shop\n      cluster: ${cluster.name}\n      shards: [${cluster.shards.map((s) => s.url).join(', ')}]\n`;
  p = new TestProject('chc', projectFiles(profile));
}, 180_000);
afterAll(async () => {
  p?.cleanup();
  await cluster?.stop();
});

const SHARDED = { stg_orders: 100, customers: SEED_ROWS, cust_totals: SEED_ROWS, events_keyed: 50, events_log: 20 } as const;

describe('a two-shard ClickHouse cluster', () => {
  it('builds every kind; each shard holds part of every sharded table and the Distributed totals are right', async () => {
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toMatchObject({ stg_orders: 'success', customers: 'success', cust_totals: 'success', relationships_stg_orders_customer_id: 'pass', no_nulls_cust_totals_name: 'warn' });
    for (const [table, rows] of Object.entries(SHARDED)) {
      const parts = await Promise.all(cluster.shards.map((s) => count(s.url, `shop.${table}_local`)));
      for (const n of parts) expect(n, `${table} on a shard`).toBeGreaterThan(0);
      expect(parts.reduce((a, b) => a + b), table).toBe(rows);
      expect(await count(main, `shop.${table}`)).toBe(rows);
      // Every shard has the Distributed table: any of them answers for the whole table.
      for (const s of cluster.shards) expect(await count(s.url, `shop.${table}`)).toBe(rows);
      expect((await chQuery(main, `select engine from system.tables where database = 'shop' and name = '${table}'`))[0]!.engine).toBe('Distributed');
    }
    // The same sums as on one server (clickhouse-server.test.ts): the join reads all shards.
    const totals = await chQuery(main, 'select id, n, total from shop.cust_totals where id in (1, 5, 40) order by id');
    expect(totals).toEqual([{ id: '1', n: '25', total: 12000 }, { id: '5', n: '0', total: 0 }, { id: '40', n: '0', total: 0 }]);
    expect(await chQuery(main, 'select sum(amount) as s, count() as n from shop.stg_orders')).toEqual([{ s: 49500, n: '100' }]);
    // Views exist on every shard.
    for (const s of cluster.shards) expect(await count(s.url, 'shop.big_orders')).toBe(49);
    for (const s of cluster.shards) expect(await leftovers(s.url)).toEqual([]);
  });

  it('a second night: delete+insert on every shard, append through the Distributed table', async () => {
    const r = await p.run('run', '--vars', '{night: 2}');
    expect(r.code, r.output).toBe(0);
    expect(await count(main, 'shop.events_keyed')).toBe(50);
    expect(await chQuery(main, 'select count() as n, uniqExact(id) as u from shop.events_keyed')).toEqual([{ n: '50', u: '50' }]);
    expect(await chQuery(main, 'select count() as n from shop.events_keyed where id >= 30 and v = toString(id * 2)')).toEqual([{ n: '20' }]);
    expect(await count(main, 'shop.events_log')).toBe(40);
    for (const s of cluster.shards) expect(await chQuery(s.url, "select count() as n from system.mutations where database = 'shop' and is_done = 0")).toEqual([{ n: '0' }]);
    const h = await p.run('history');
    expect(h.stdout).toMatch(/run\s+success/);
    const d = await p.run('docs', 'generate');
    expect(d.code, d.output).toBe(0);
    expect(p.read('target/catalog.json')).toContain('model.chc.events_keyed');
    const t = await p.run('test');
    expect(t.code, t.output).toBe(0);
  });

  it('a model changing kind (table, view, table) and an incremental model gaining a column', async () => {
    const model = p.read('models/cust_totals.sql');
    p.write({ 'models/cust_totals.sql': model.replace('materialized="table"', 'materialized="view"') });
    expect((await p.run('run', '-s', 'cust_totals')).code).toBe(0);
    for (const s of cluster.shards) {
      expect(await chQuery(s.url, "select name, engine from system.tables where database = 'shop' and name like 'cust_totals%'")).toEqual([{ name: 'cust_totals', engine: 'View' }]);
    }
    p.write({ 'models/cust_totals.sql': model });
    expect((await p.run('run', '-s', 'cust_totals')).code).toBe(0);
    expect(await count(main, 'shop.cust_totals')).toBe(SEED_ROWS);
    const events = p.read('models/events_keyed.sql');
    p.write({ 'models/events_keyed.sql': events.replace('incremental_strategy="delete+insert"', 'incremental_strategy="delete+insert" on_schema_change="append_new_columns"').replace('as v from', 'as v, id % 3 as bucket from') });
    const r = await p.run('run', '-s', 'events_keyed', '--vars', '{night: 3}');
    expect(r.code, r.output).toBe(0);
    for (const s of cluster.shards) {
      for (const t of ['events_keyed', 'events_keyed_local']) {
        expect((await chQuery(s.url, `select name from system.columns where database = 'shop' and table = '${t}'`)).map((c) => c.name)).toEqual(['id', 'v', 'bucket']);
      }
    }
    expect(await chQuery(main, 'select count() as n, countIf(bucket = id % 3) as b from shop.events_keyed where id >= 30')).toEqual([{ n: '20', b: '20' }]);
    p.write({ 'models/events_keyed.sql': events });
    for (const s of cluster.shards) expect(await leftovers(s.url)).toEqual([]);
  });

  it('a run killed (SIGKILL) in the middle of a table build: the old table stays, and the next run cleans etlx_tmp on every shard', async () => {
    const killed = runWithFault(p.dir, 'after-insert', ['run', '-s', 'stg_orders', '--vars', '{orders: 60}']);
    expect(killed.signal).toBe('SIGKILL');
    // Killed after the rows went into the temporary tables: they are still there, and so is the lock.
    for (const s of cluster.shards) expect((await leftovers(s.url)).length).toBeGreaterThan(0);
    expect(await count(main, 'shop.stg_orders')).toBe(100);
    const r = await p.run('run', '-s', 'stg_orders', '--vars', '{orders: 60}');
    expect(r.code, r.output).toBe(0);
    expect(await count(main, 'shop.stg_orders')).toBe(60);
    for (const s of cluster.shards) {
      expect(await leftovers(s.url)).toEqual([]);
      expect(await count(s.url, 'shop.stg_orders_local')).toBeGreaterThan(0);
    }
    expect(await chQuery(main, "select name from system.tables where database = 'etlx_meta' and name like 'etlx_lock%'")).toEqual([]);
  });
});
