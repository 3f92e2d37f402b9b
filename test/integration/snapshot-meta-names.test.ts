/**
 * Snapshots on real DuckDB with dbt's `snapshot_meta_column_names` (YAML and {{config}} forms),
 * a composite unique_key and a check_cols list, over three "days", each history compared row by
 * row with a hand-written expected one. The snapshot time (check strategy, deletes) is
 * wall-clock: shown as a day number by order of first appearance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const DAYS = [
  'region,id,name,score\neu,1,a,10\nus,1,b,20\n',
  // day 2: eu/1 changes its name (listed in check_cols); us/1 changes only its score (not listed)
  'region,id,name,score\neu,1,a2,10\nus,1,b,21\n',
  // day 3: us/1 is deleted
  'region,id,name,score\neu,1,a2,10\n',
];

/** Snapshot times as the day of the run that wrote them (1, 2, 3), by their order. */
async function history(p: TestProject, table: string, from: string, to: string, deleted?: string): Promise<string[]> {
  const days = await p.query(`select distinct t::varchar as t from (select ${from} as t from main.${table} union select ${to} from main.${table}) where t is not null order by t`);
  const day = (v: unknown) => (v === null ? 'open' : String(days.findIndex((d) => String(d.t) === String(v)) + 1));
  const rows = await p.query(`select region, id, name, score, ${from}::varchar as f, ${to}::varchar as t${deleted ? `, ${deleted} as d` : ''} from main.${table} order by region, id, ${from}${deleted ? `, ${deleted}` : ''}`);
  return rows.map((r) => [r.region, r.id, r.name, r.score, day(r.f), day(r.t), ...(deleted ? [r.d] : [])].join(' '));
}

describe('snapshot_meta_column_names, a composite key and a check_cols list', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('snm', {
      'models/sources.yml': 'sources:\n  - name: crm\n    tables:\n      - name: accounts\n        location: staging/accounts.csv\n',
      'snapshots/renamed_yaml.sql': 'select * from {{source "crm" "accounts"}}\n',
      'snapshots/renamed_config.sql':
        '{{config strategy="check" unique_key="region,id" check_cols="name" hard_deletes="new_record" snapshot_meta_column_names=\'{"dbt_valid_from": "valid_from", "dbt_valid_to": "valid_to", "dbt_is_deleted": "is_deleted", "dbt_scd_id": "scd_id", "dbt_updated_at": "updated_at"}\'}}\nselect * from {{source "crm" "accounts"}}\n',
      'snapshots/snapshots.yml': [
        'snapshots:',
        '  - name: renamed_yaml',
        '    config:',
        '      strategy: check',
        '      unique_key: [region, id]',
        '      check_cols: [name]',
        '      hard_deletes: invalidate',
        '      snapshot_meta_column_names: {dbt_valid_from: start_at, dbt_valid_to: end_at}',
      ].join('\n'),
    });
  });
  afterAll(() => p.cleanup());

  it('keeps dbt\'s history under the renamed columns', async () => {
    for (const [i, csv] of DAYS.entries()) {
      p.write({ 'staging/accounts.csv': csv });
      const r = await p.run('snapshot');
      expect(r.code, `day ${i + 1}: ${r.output}`).toBe(0);
    }
    const cols = async (t: string) => (await p.query(`select column_name as c from information_schema.columns where table_name = '${t}' order by ordinal_position`)).map((r) => r.c);
    expect(await cols('renamed_yaml')).toEqual(['region', 'id', 'name', 'score', 'dbt_scd_id', 'dbt_updated_at', 'start_at', 'end_at']);
    expect(await cols('renamed_config')).toEqual(['region', 'id', 'name', 'score', 'scd_id', 'updated_at', 'valid_from', 'valid_to', 'is_deleted']);
    // region id name score from to: us/1's score change is not in check_cols, so no new version;
    // its delete (invalidate) closes it on day 3.
    expect(await history(p, 'renamed_yaml', 'start_at', 'end_at')).toEqual(['eu 1 a 10 1 2', 'eu 1 a2 10 2 open', 'us 1 b 20 1 3']);
    // new_record: the deletion is a row of its own with is_deleted = true, open from day 3.
    expect(await history(p, 'renamed_config', 'valid_from', 'valid_to', 'is_deleted')).toEqual([
      'eu 1 a 10 1 2 false',
      'eu 1 a2 10 2 open false',
      'us 1 b 20 1 3 false',
      'us 1 b 20 3 open true',
    ]);
  });

  it('a row with the same key values in another region is another entity', async () => {
    p.write({ 'staging/accounts.csv': 'region,id,name,score\neu,1,a2,10\nus,1,b,20\nap,1,c,5\n' });
    expect((await p.run('snapshot', '--select', 'renamed_yaml')).code).toBe(0);
    expect(await p.query("select region, count(*) as n, count(end_at) as closed from main.renamed_yaml group by region order by region")).toEqual([
      { region: 'ap', n: 1, closed: 0 },
      { region: 'eu', n: 2, closed: 1 },
      { region: 'us', n: 2, closed: 1 },
    ]);
  });
});
