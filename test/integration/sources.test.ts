import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const SOURCES = `sources:
  - name: shop
    tables:
      - name: orders
        location: staging/orders/*.parquet
      - name: payments
        location: staging/payments.csv
      - name: sales
        location: staging/sales/*/*.parquet
        options: {hive_partitioning: true}
      - name: events
        location: staging/events.json
      - name: clicks
        location: staging/clicks.ndjson
      - name: late
        location: staging/late/*.parquet
      - name: gone
        location: staging/gone.csv
`;

describe('sources', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = new TestProject('src', {
      'models/sources.yml': SOURCES,
      'models/orders.sql': `{{config materialized="table"}}\nselect id, amount from {{source "shop" "orders"}}`,
      'models/payments.sql': `{{config materialized="table"}}\nselect * from {{source "shop" "payments"}}`,
      'models/sales.sql': `{{config materialized="table"}}\nselect region, count(*) as n, sum(v) as v from {{source "shop" "sales"}} group by region`,
      'models/events.sql': `{{config materialized="table"}}\nselect * from {{source "shop" "events"}}`,
      'models/clicks.sql': `{{config materialized="table"}}\nselect * from {{source "shop" "clicks"}}`,
      'models/late_stg.sql': `{{config materialized="view"}}\nselect * from {{source "shop" "late"}}`,
      'models/late_mart.sql': `{{config materialized="table"}}\nselect count(*) as n from {{ref "late_stg"}}`,
      'models/gone_eph.sql': `{{config materialized="ephemeral"}}\nselect * from {{source "shop" "gone"}}`,
      'models/gone_mart.sql': `{{config materialized="table"}}\nselect count(*) as n from {{ref "gone_eph"}}`,
      'models/gone_child.sql': `{{config materialized="table"}}\nselect * from {{ref "gone_mart"}}`,
      'models/unrelated.sql': `{{config materialized="table"}}\nselect o.id from {{ref "orders"}} as o`,
      'staging/payments.csv': 'payment_id,order_id,amount\n1,10,5.5\n2,11,7.25\n',
      'staging/events.json': JSON.stringify([
        { id: 1, kind: 'view' },
        { id: 2, kind: 'buy' },
      ]),
      'staging/clicks.ndjson': '{"id": 1, "page": "/a"}\n{"id": 2, "page": "/b"}\n{"id": 3, "page": "/c"}\n',
    });
    await p.copyTo('staging/orders/part1.parquet', `select i as id, i * 1.5 as amount from range(1, 4) t(i)`);
    await p.copyTo('staging/orders/part2.parquet', `select i as id, i * 1.5 as amount from range(4, 6) t(i)`);
    await p.copyTo('staging/sales/region=east/data.parquet', `select i as v from range(3) t(i)`);
    await p.copyTo('staging/sales/region=west/data.parquet', `select i as v from range(5) t(i)`);
    p.write({ 'staging/late/.keep': '' });
  });
  afterAll(() => p.cleanup());

  it('reads parquet globs, csv, hive partitions, json and ndjson; missing files fail only their readers', async () => {
    const r = await p.run('run');
    expect(r.code).toBe(1);
    const st = p.statuses();
    expect(st).toMatchObject({
      orders: 'success',
      payments: 'success',
      sales: 'success',
      events: 'success',
      clicks: 'success',
      unrelated: 'success',
      late_stg: 'error',
      late_mart: 'skipped',
      gone_mart: 'error',
      gone_child: 'skipped',
    });
    expect(st.gone_eph).toBeUndefined();

    expect(await p.query(`select count(*) as n, sum(amount)::double as s from main.orders`)).toEqual([{ n: 5, s: 22.5 }]);
    expect(await p.query(`select payment_id, amount from main.payments order by 1`)).toEqual([
      { payment_id: 1, amount: 5.5 },
      { payment_id: 2, amount: 7.25 },
    ]);
    expect(await p.query(`select region, n, v from main.sales order by region`)).toEqual([
      { region: 'east', n: 3, v: 3 },
      { region: 'west', n: 5, v: 10 },
    ]);
    expect(await p.query(`select id, kind from main.events order by id`)).toEqual([
      { id: 1, kind: 'view' },
      { id: 2, kind: 'buy' },
    ]);
    expect(await p.query(`select id, page from main.clicks order by id`)).toEqual([
      { id: 1, page: '/a' },
      { id: 2, page: '/b' },
      { id: 3, page: '/c' },
    ]);
    expect(await p.query(`select count(*) as n from main.unrelated`)).toEqual([{ n: 5 }]);

    // The messages name the source and its path.
    const late = p.result('late_stg')!.message!;
    expect(late).toContain('shop.late');
    expect(late).toContain('staging/late/*.parquet');
    expect(late).toMatch(/no files match/);
    const gone = p.result('gone_mart')!.message!;
    expect(gone).toContain('shop.gone');
    expect(gone).toContain('staging/gone.csv');
    expect(gone).toMatch(/not found/);
    expect(p.result('late_mart')!.message).toMatch(/late_stg/);
    expect(r.output).toContain('staging/late/*.parquet');
    // Nothing was created for the failed models.
    const rels = await p.query(`select table_name as n from information_schema.tables where table_name in ('late_stg', 'late_mart', 'gone_mart', 'gone_child')`);
    expect(rels).toEqual([]);
  });

  it('once the late files arrive, the same models build', async () => {
    await p.copyTo('staging/late/a.parquet', `select 1 as x union all select 2`);
    p.write({ 'staging/gone.csv': 'a\n1\n2\n3\n' });
    const r = await p.run('run', '--select', 'late_stg+', 'gone_mart+');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select n from main.late_mart`)).toEqual([{ n: 2 }]);
    expect(await p.query(`select n from main.gone_child`)).toEqual([{ n: 3 }]);
  });
});
