import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const SOURCES = `sources:
  - name: raw
    tables:
      - name: rows
        location: staging/rows.csv
      - name: keyed
        location: staging/keyed.csv
      - name: wide
        location: staging/wide.csv
`;

const WAS_INC = `{{#if is_incremental}}true{{else}}false{{/if}} as was_inc`;

function inc(config: string, body: string): string {
  return `{{config materialized="incremental" ${config}}}\n${body}`;
}

const columnsOf = async (p: TestProject, table: string) =>
  (await p.query(`select column_name as c from information_schema.columns where table_schema = 'main' and table_name = '${table}' order by ordinal_position`)).map((r) => r.c);

describe('incremental models', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('inc', {
      'models/sources.yml': SOURCES,
      'models/inc_append.sql': inc(`incremental_strategy="append"`, `select id, v, ${WAS_INC} from {{source "raw" "rows"}}`),
      'models/inc_delins.sql': inc(`incremental_strategy="delete+insert" unique_key="id"`, `select id, v, ${WAS_INC} from {{source "raw" "rows"}}`),
      'models/inc_merge.sql': inc(`incremental_strategy="merge" unique_key="id"`, `select id, v, ${WAS_INC} from {{source "raw" "rows"}}`),
      'models/inc_merge_filtered.sql': inc(
        `incremental_strategy="merge" unique_key="id"`,
        `select id, v from {{source "raw" "rows"}}\n{{#if is_incremental}}where id >= (select max(id) from {{self}}){{/if}}`,
      ),
      'models/inc_multi.sql': inc(`incremental_strategy="merge" unique_key="id,day"`, `select id, day, v from {{source "raw" "keyed"}}`),
      'models/inc_multi_di.sql': inc(`incremental_strategy="delete+insert" unique_key="id,day"`, `select id, day, v from {{source "raw" "keyed"}}`),
      'models/osc_ignore.sql': inc(`on_schema_change="ignore"`, `select * from {{source "raw" "wide"}}`),
      'models/osc_fail.sql': inc(`on_schema_change="fail"`, `select * from {{source "raw" "wide"}}`),
      'models/osc_append.sql': inc(`on_schema_change="append_new_columns" incremental_strategy="merge" unique_key="id"`, `select * from {{source "raw" "wide"}}`),
      'models/osc_sync.sql': inc(`on_schema_change="sync_all_columns" incremental_strategy="delete+insert" unique_key="id"`, `select * from {{source "raw" "wide"}}`),
      'models/inc_protected.sql': inc(`incremental_strategy="append" full_refresh=false`, `select id, v from {{source "raw" "rows"}}`),
      'staging/rows.csv': 'id,v\n1,a\n2,b\n3,c\n',
      'staging/keyed.csv': 'id,day,v\n1,2024-01-01,x\n2,2024-01-01,y\n',
      'staging/wide.csv': 'id,b,c\n1,b1,c1\n2,b2,c2\n',
    });
  });
  afterAll(() => p.cleanup());

  it('the first run builds each table with is_incremental false', async () => {
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    for (const t of ['inc_append', 'inc_delins', 'inc_merge']) {
      expect(await p.query(`select id, v, was_inc from main.${t} order by id`), t).toEqual([
        { id: 1, v: 'a', was_inc: false },
        { id: 2, v: 'b', was_inc: false },
        { id: 3, v: 'c', was_inc: false },
      ]);
      expect(p.result(t)!.rows_affected).toBe(3);
    }
    expect(p.read('target/run/models/inc_merge.sql')).toMatch(/create or replace table "main"."inc_merge"/);
  });

  it('the second run applies each strategy (an updated key, a new key) with is_incremental true', async () => {
    p.write({
      'staging/rows.csv': 'id,v\n2,B\n4,d\n',
      'staging/keyed.csv': 'id,day,v\n1,2024-01-01,X\n1,2024-01-02,new\n',
      'staging/wide.csv': 'id,b,d\n2,B2,d2\n3,b3,d3\n',
    });
    const r = await p.run('run');
    expect(r.code).toBe(1); // osc_fail fails, by design
    expect(p.statuses()).toMatchObject({
      inc_append: 'success',
      inc_delins: 'success',
      inc_merge: 'success',
      inc_merge_filtered: 'success',
      inc_multi: 'success',
      inc_multi_di: 'success',
      osc_ignore: 'success',
      osc_fail: 'error',
      osc_append: 'success',
      osc_sync: 'success',
      inc_protected: 'success',
    });

    expect(await p.query(`select id, v, was_inc from main.inc_append order by id, v`)).toEqual([
      { id: 1, v: 'a', was_inc: false },
      { id: 2, v: 'B', was_inc: true },
      { id: 2, v: 'b', was_inc: false },
      { id: 3, v: 'c', was_inc: false },
      { id: 4, v: 'd', was_inc: true },
    ]);
    const upserted = [
      { id: 1, v: 'a', was_inc: false },
      { id: 2, v: 'B', was_inc: true },
      { id: 3, v: 'c', was_inc: false },
      { id: 4, v: 'd', was_inc: true },
    ];
    expect(await p.query(`select id, v, was_inc from main.inc_delins order by id`)).toEqual(upserted);
    expect(await p.query(`select id, v, was_inc from main.inc_merge order by id`)).toEqual(upserted);
    expect(p.result('inc_append')!.rows_affected).toBe(2);
    expect(p.result('inc_merge')!.rows_affected).toBe(2);
    expect(p.result('inc_delins')!.rows_affected).toBe(2);
    // {{self}} in the incremental filter: only ids >= 3 were read again (2 -> B is not applied).
    expect(await p.query(`select id, v from main.inc_merge_filtered order by id`)).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 3, v: 'c' },
      { id: 4, v: 'd' },
    ]);
    const executed = p.read('target/run/models/inc_merge.sql');
    expect(executed).toMatch(/merge into "main"."inc_merge"/);
    expect(p.read('target/run/models/inc_delins.sql')).toMatch(/delete from "main"."inc_delins"/);
  });

  it('unique_key as a list matches on every key column', async () => {
    const expected = [
      { id: 1, day: '2024-01-01', v: 'X' },
      { id: 1, day: '2024-01-02', v: 'new' },
      { id: 2, day: '2024-01-01', v: 'y' },
    ];
    expect(await p.query(`select id, day::varchar as day, v from main.inc_multi order by id, day`)).toEqual(expected);
    expect(await p.query(`select id, day::varchar as day, v from main.inc_multi_di order by id, day`)).toEqual(expected);
  });

  it('on_schema_change: ignore keeps the columns, fail leaves the table, append_new_columns adds, sync_all_columns adds and drops', async () => {
    expect(await columnsOf(p, 'osc_ignore')).toEqual(['id', 'b', 'c']);
    expect(await p.query(`select id, b, c from main.osc_ignore order by id`)).toEqual([
      { id: 1, b: 'b1', c: 'c1' },
      { id: 2, b: 'b2', c: 'c2' },
      { id: 2, b: 'B2', c: null },
      { id: 3, b: 'b3', c: null },
    ]);

    expect(await columnsOf(p, 'osc_fail')).toEqual(['id', 'b', 'c']);
    expect(await p.query(`select id, b, c from main.osc_fail order by id`)).toEqual([
      { id: 1, b: 'b1', c: 'c1' },
      { id: 2, b: 'b2', c: 'c2' },
    ]);
    const msg = p.result('osc_fail')!.message!;
    expect(msg).toMatch(/added d/);
    expect(msg).toMatch(/removed c/);
    expect(msg).toMatch(/on_schema_change: fail/);

    expect(await columnsOf(p, 'osc_append')).toEqual(['id', 'b', 'c', 'd']);
    expect(await p.query(`select id, b, c, d from main.osc_append order by id`)).toEqual([
      { id: 1, b: 'b1', c: 'c1', d: null },
      { id: 2, b: 'B2', c: 'c2', d: 'd2' },
      { id: 3, b: 'b3', c: null, d: 'd3' },
    ]);

    expect(await columnsOf(p, 'osc_sync')).toEqual(['id', 'b', 'd']);
    expect(await p.query(`select id, b, d from main.osc_sync order by id`)).toEqual([
      { id: 1, b: 'b1', d: null },
      { id: 2, b: 'B2', d: 'd2' },
      { id: 3, b: 'b3', d: 'd3' },
    ]);
  });

  it('duplicate keys in the new rows fail with a clear message and leave the table unchanged', async () => {
    p.write({ 'staging/rows.csv': 'id,v\n5,e\n5,f\n6,g\n' });
    const before = await p.query(`select * from main.inc_merge order by id`);
    const beforeDi = await p.query(`select * from main.inc_delins order by id`);
    const r = await p.run('run', '--select', 'inc_merge', 'inc_delins', 'inc_append');
    expect(r.code).toBe(1);
    expect(p.statuses()).toEqual({ inc_merge: 'error', inc_delins: 'error', inc_append: 'success' });
    const msg = p.result('inc_merge')!.message!;
    expect(msg).toMatch(/duplicate unique_key values in the new rows of inc_merge/);
    expect(msg).toContain('id=5 (2 rows)');
    expect(msg).toMatch(/left unchanged/);
    expect(await p.query(`select * from main.inc_merge order by id`)).toEqual(before);
    expect(await p.query(`select * from main.inc_delins order by id`)).toEqual(beforeDi);
    // append has no key: the three rows are added.
    expect(await p.query(`select count(*) as n from main.inc_append`)).toEqual([{ n: 8 }]);
    // No staging relation is left in any user schema.
    expect(await p.query(`select table_schema, table_name from information_schema.tables where table_name like 'etlx_new_%'`)).toEqual([]);
  });

  it('--full-refresh rebuilds, but full_refresh: false protects a table', async () => {
    p.write({ 'staging/rows.csv': 'id,v\n7,h\n8,i\n' });
    const protectedBefore = await p.query(`select count(*) as n from main.inc_protected`);
    expect(protectedBefore).toEqual([{ n: 5 }]);
    const r = await p.run('run', '--full-refresh', '--select', 'inc_append', 'inc_merge', 'inc_protected', 'osc_fail');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select id, v, was_inc from main.inc_append order by id`)).toEqual([
      { id: 7, v: 'h', was_inc: false },
      { id: 8, v: 'i', was_inc: false },
    ]);
    expect(await p.query(`select id from main.inc_merge order by id`)).toEqual([{ id: 7 }, { id: 8 }]);
    // Protected: the new rows were appended to the old ones.
    expect(await p.query(`select id from main.inc_protected order by id`)).toEqual([{ id: 1 }, { id: 2 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 7 }, { id: 8 }]);
    // The schema change that failed before is gone with a full refresh.
    expect(await columnsOf(p, 'osc_fail')).toEqual(['id', 'b', 'd']);
    expect(p.runResults().args.full_refresh).toBe(true);
  });
});
