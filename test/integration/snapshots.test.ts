/**
 * Snapshots on real DuckDB: a staging file that changes over four "days" (an update, a delete,
 * a re-insert, a new column), `etlx snapshot` after each, and every history table compared row
 * by row with a hand-written expected history. Timestamps come from the source's updated_at;
 * the snapshot time (deletes, the check strategy) is wall-clock and shown as NOW.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const DAYS = [
  'id,name,updated_at\n1,a,2024-01-01 00:00:00\n2,b,2024-01-01 00:00:00\n3,c,2024-01-01 00:00:00\n',
  // day 2: 1 is updated, 2 is deleted
  'id,name,updated_at\n1,a2,2024-01-02 00:00:00\n3,c,2024-01-01 00:00:00\n',
  // day 3: 2 comes back
  'id,name,updated_at\n1,a2,2024-01-02 00:00:00\n2,b3,2024-01-03 00:00:00\n3,c,2024-01-01 00:00:00\n',
  // day 4: a new column; 3 changes
  'id,name,updated_at,tier\n1,a2,2024-01-02 00:00:00,\n2,b3,2024-01-03 00:00:00,\n3,c4,2024-01-04 00:00:00,x\n',
];

const ts = (mode: string) =>
  `{{config materialized="snapshot" strategy="timestamp" unique_key="id" updated_at="updated_at" hard_deletes="${mode}"}}\nselect * from {{source "crm" "customers"}}\n`;

/** Timestamps from the snapshot's clock (after 2025) are not compared, only marked. */
const shown = (col: string) => `case when ${col} is null then null when ${col} >= timestamp '2025-01-01' then 'NOW' else strftime(${col}, '%m-%d') end`;

async function history(p: TestProject, table: string, deleted = false): Promise<string[]> {
  const rows = await p.query(
    `select id, name, tier, ${shown('updated_at')} as u, ${shown('dbt_valid_from')} as f, ${shown('dbt_valid_to')} as t, ${shown('dbt_updated_at')} as du${deleted ? ', dbt_is_deleted as d' : ''}
     from main.${table} order by id, dbt_valid_from, dbt_is_deleted_sort`.replace(', dbt_is_deleted_sort', deleted ? ', dbt_is_deleted' : ''),
  );
  return rows.map((r) => [r.id, r.name, r.tier ?? '-', r.u, r.f, r.t ?? 'open', r.du, ...(deleted ? [r.d] : [])].join(' '));
}

describe('snapshots: four days of a changing source', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('snap', {
      'models/sources.yml': 'sources:\n  - name: crm\n    tables:\n      - name: customers\n        location: staging/customers.csv\n',
      'snapshots/cust_ignore.sql': ts('ignore'),
      'snapshots/cust_invalidate.sql': ts('invalidate'),
      'snapshots/cust_new_record.sql': ts('new_record'),
      'snapshots/cust_check.sql': '{{config strategy="check" unique_key="id" check_cols="all"}}\nselect * from {{source "crm" "customers"}}\n',
      'snapshots/snapshots.yml': 'snapshots:\n  - name: cust_check\n    columns:\n      - name: id\n        tests: [not_null]\n',
      'models/current_customers.sql': 'select id, name from {{ref "cust_invalidate"}} where dbt_valid_to is null\n',
    });
  });
  afterAll(() => p.cleanup());

  it('runs each day and keeps the history dbt keeps', async () => {
    for (const [i, csv] of DAYS.entries()) {
      p.write({ 'staging/customers.csv': csv });
      const r = await p.run('snapshot');
      expect(r.code, `day ${i + 1}: ${r.output}`).toBe(0);
      expect(p.result('cust_ignore')!.resource_type).toBe('snapshot');
    }
    // id name tier updated_at valid_from valid_to dbt_updated_at
    expect(await history(p, 'cust_ignore')).toEqual([
      '1 a - 01-01 01-01 01-02 01-01',
      '1 a2 - 01-02 01-02 open 01-02',
      '2 b - 01-01 01-01 01-03 01-01',
      '2 b3 - 01-03 01-03 open 01-03',
      '3 c - 01-01 01-01 01-04 01-01',
      '3 c4 x 01-04 01-04 open 01-04',
    ]);
    expect(await history(p, 'cust_invalidate')).toEqual([
      '1 a - 01-01 01-01 01-02 01-01',
      '1 a2 - 01-02 01-02 open 01-02',
      '2 b - 01-01 01-01 NOW 01-01',
      '2 b3 - 01-03 01-03 open 01-03',
      '3 c - 01-01 01-01 01-04 01-01',
      '3 c4 x 01-04 01-04 open 01-04',
    ]);
    expect(await history(p, 'cust_new_record', true)).toEqual([
      '1 a - 01-01 01-01 01-02 01-01 false',
      '1 a2 - 01-02 01-02 open 01-02 false',
      '2 b - 01-01 01-01 NOW 01-01 false',
      '2 b3 - 01-03 01-03 open 01-03 false',
      // the deletion record: the deleted row's values, from the delete until the re-insert
      '2 b - 01-01 NOW 01-03 NOW true',
      '3 c - 01-01 01-01 01-04 01-01 false',
      '3 c4 x 01-04 01-04 open 01-04 false',
    ]);
  });

  it('check strategy: versions by changed values, closed where the next one starts', async () => {
    const rows = await p.query(
      `select id, name, coalesce(tier, '-') as tier, dbt_valid_to is null as open,
              dbt_valid_to is not distinct from lead(dbt_valid_from) over (partition by id order by dbt_valid_from) as chained,
              dbt_scd_id = md5(concat_ws('|', cast(id as varchar), cast(dbt_updated_at as varchar))) as scd_ok
       from main.cust_check order by id, dbt_valid_from`,
    );
    expect(rows.map((r) => [r.id, r.name, r.tier, r.open, r.chained, r.scd_ok].join(' '))).toEqual([
      '1 a - false true true',
      '1 a2 - true true true',
      '2 b - false true true',
      '2 b3 - true true true',
      '3 c - false true true',
      '3 c4 x true true true',
    ]);
    expect((await p.query(`select count(distinct dbt_valid_from) as n from main.cust_check`))[0]!.n).toBe(4);
  });

  it('duplicate unique keys fail the snapshot and change nothing', async () => {
    const before = await history(p, 'cust_ignore');
    p.write({ 'staging/customers.csv': `${DAYS[3]}3,c5,2024-01-05 00:00:00,y\n` });
    const r = await p.run('snapshot', '--select', 'cust_ignore');
    expect(r.code).toBe(1);
    expect(r.output).toContain('duplicate unique_key values in the source rows of snapshot cust_ignore: id=3 (2 rows)');
    expect(await history(p, 'cust_ignore')).toEqual(before);
    p.write({ 'staging/customers.csv': DAYS[3]! });
  });

  it('--full-refresh never drops a snapshot; ref reads it; build runs it in DAG order with its tests', async () => {
    const before = await history(p, 'cust_invalidate');
    expect((await p.run('build', '--full-refresh')).code).toBe(0);
    expect(await history(p, 'cust_invalidate')).toEqual(before);
    expect(p.statuses()).toMatchObject({ cust_check: 'success', current_customers: 'success', not_null_cust_check_id: 'pass' });
    expect(await p.query('select id, name from main.current_customers order by id')).toEqual([
      { id: 1, name: 'a2' },
      { id: 2, name: 'b3' },
      { id: 3, name: 'c4' },
    ]);
  });

  it('resource_type:snapshot selects the snapshots', async () => {
    const r = await p.run('ls', '--select', 'resource_type:snapshot');
    // The snapshot's data test comes with it (indirect selection, as in dbt).
    expect(r.stdout.trim().split('\n')).toEqual(['cust_check', 'cust_ignore', 'cust_invalidate', 'cust_new_record', 'not_null_cust_check_id']);
    const only = await p.run('ls', '--resource-type', 'snapshot');
    expect(only.stdout.trim().split('\n')).toEqual(['cust_check', 'cust_ignore', 'cust_invalidate', 'cust_new_record']);
    const m = JSON.parse(p.read('target/manifest.json')) as { nodes: Record<string, { resource_type: string; relation_name?: string }> };
    expect(m.nodes['snapshot.snap.cust_check']).toMatchObject({ resource_type: 'snapshot', relation_name: '"main"."cust_check"' });
  });
});
