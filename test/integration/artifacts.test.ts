import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject, type Row, type RunResults } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('run_results.json and etlx_meta history', () => {
  let p: TestProject;
  const runs: RunResults[] = [];
  beforeAll(() => {
    p = new TestProject('art', {
      'seeds/colors.csv': 'id,color\n1,red\n2,green\n3,blue\n',
      'models/t_colors.sql': `{{config materialized="table"}}\nselect * from {{ref "colors"}}`,
      'models/v_colors.sql': `{{config materialized="view"}}\nselect id, upper(color) as color from {{ref "t_colors"}}`,
      'models/broken.sql': `{{config materialized="table"}}\nselect 'nope'::integer as x from {{ref "t_colors"}}`,
      'models/after_broken.sql': `{{config materialized="table"}}\nselect * from {{ref "broken"}}`,
      'models/props.yml': 'models:\n  - name: t_colors\n    columns:\n      - name: id\n        tests: [unique, not_null]\n',
    });
  });
  afterAll(() => p.cleanup());

  it('run_results.json records each node: status, timing, rows_affected, message', async () => {
    const before = Date.now();
    const r = await p.run('build');
    const after = Date.now();
    expect(r.code).toBe(1);
    const rr = p.runResults();
    runs.push(rr);
    expect(rr.metadata.schema_version).toBe('etlx/run-results/v1');
    expect(rr.metadata.command).toBe('build');
    expect(rr.metadata.invocation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rr.exit_code).toBe(1);
    expect(rr.status).toBe('error');
    expect(rr.args).toMatchObject({ command: 'build', select: [], exclude: [], full_refresh: false, fail_fast: false });
    expect(rr.elapsed).toBeGreaterThanOrEqual(0);
    expect(rr.elapsed * 1000).toBeLessThanOrEqual(after - before + 5);
    // Sorted by unique_id.
    const ids = rr.results.map((x) => x.unique_id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual([
      'model.art.after_broken',
      'model.art.broken',
      'model.art.t_colors',
      'model.art.v_colors',
      'seed.art.colors',
      'test.art.not_null_t_colors_id',
      'test.art.unique_t_colors_id',
    ]);
    const by = Object.fromEntries(rr.results.map((x) => [x.name, x]));
    expect(by.colors).toMatchObject({ resource_type: 'seed', status: 'success', rows_affected: 3, relation_name: '"main"."colors"' });
    expect(by.t_colors).toMatchObject({ resource_type: 'model', status: 'success', rows_affected: 3, message: null });
    expect(by.v_colors).toMatchObject({ status: 'success', rows_affected: null });
    expect(by.broken!.status).toBe('error');
    expect(by.broken!.message).toMatch(/Conversion Error/);
    expect(by.after_broken!.status).toBe('skipped');
    expect(by.unique_t_colors_id).toMatchObject({ resource_type: 'test', status: 'pass', failures: 0 });
    for (const x of rr.results) {
      if (x.status === 'skipped') {
        expect(x.timing.elapsed).toBe(0);
        continue;
      }
      const s = Date.parse(x.timing.started_at!);
      const c = Date.parse(x.timing.completed_at!);
      expect(s).toBeGreaterThanOrEqual(before - 5);
      expect(c).toBeGreaterThanOrEqual(s);
      expect(c).toBeLessThanOrEqual(after + 5);
      expect(x.timing.elapsed).toBeCloseTo((c - s) / 1000, 2);
    }
    // DAG order: the seed completed before the table started, the table before its view and tests.
    expect(Date.parse(by.colors!.timing.completed_at!)).toBeLessThanOrEqual(Date.parse(by.t_colors!.timing.started_at!));
    expect(Date.parse(by.t_colors!.timing.completed_at!)).toBeLessThanOrEqual(Date.parse(by.v_colors!.timing.started_at!));
  });

  it('etlx_meta.node_results and invocations agree with run_results', async () => {
    const rr = runs[0]!;
    const inv = await p.query(`select invocation_id, command, target, status, exit_code, nodes, args->>'command' as arg_command, elapsed_s from etlx_meta.invocations`);
    expect(inv).toEqual([
      { invocation_id: rr.metadata.invocation_id, command: 'build', target: 'default', status: 'error', exit_code: 1, nodes: 7, arg_command: 'build', elapsed_s: rr.elapsed },
    ]);
    const nodes = await p.query(
      `select unique_id, resource_type, name, status, rows_affected, failures, message, elapsed_s, relation,
              strftime(started_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%g') as started
       from etlx_meta.node_results where invocation_id = '${rr.metadata.invocation_id}' order by unique_id`,
    );
    expect(nodes).toHaveLength(rr.results.length);
    nodes.forEach((n: Row, i) => {
      const x = rr.results[i]!;
      expect(n.unique_id).toBe(x.unique_id);
      expect(n.resource_type).toBe(x.resource_type);
      expect(n.name).toBe(x.name);
      expect(n.status).toBe(x.status);
      expect(n.rows_affected).toBe(x.rows_affected ?? null);
      expect(n.failures).toBe(x.failures ?? null);
      expect(n.message).toBe(x.message ?? null);
      expect(n.elapsed_s).toBe(x.timing.elapsed);
      expect(n.relation).toBe(x.relation_name ?? null);
      if (x.timing.started_at) expect(`${String(n.started)}Z`).toBe(x.timing.started_at);
      else expect(n.started).toBeNull();
    });
  });

  it('history is append-only: one invocation row per run', async () => {
    p.remove('models/broken.sql', 'models/after_broken.sql');
    const r2 = await p.run('run');
    expect(r2.code, r2.output).toBe(0);
    runs.push(p.runResults());
    const r3 = await p.run('test');
    expect(r3.code, r3.output).toBe(0);
    runs.push(p.runResults());
    const inv = await p.query(`select invocation_id, command, exit_code, nodes from etlx_meta.invocations order by started_at`);
    expect(inv).toEqual([
      { invocation_id: runs[0]!.metadata.invocation_id, command: 'build', exit_code: 1, nodes: 7 },
      { invocation_id: runs[1]!.metadata.invocation_id, command: 'run', exit_code: 0, nodes: 2 },
      { invocation_id: runs[2]!.metadata.invocation_id, command: 'test', exit_code: 0, nodes: 2 },
    ]);
    const counts = await p.query(`select invocation_id, count(*) as n from etlx_meta.node_results group by 1`);
    expect(Object.fromEntries(counts.map((c) => [c.invocation_id, c.n]))).toEqual({
      [runs[0]!.metadata.invocation_id]: 7,
      [runs[1]!.metadata.invocation_id]: 2,
      [runs[2]!.metadata.invocation_id]: 2,
    });
    // The first run's rows are untouched.
    expect(await p.query(`select status from etlx_meta.node_results where name = 'broken'`)).toEqual([{ status: 'error' }]);
  });

  it('target/run holds the statements each node executed', () => {
    expect(p.read('target/run/models/t_colors.sql')).toMatch(/^create or replace table "main"."t_colors" as\n\s*select \* from "main"."colors";\n$/);
    expect(p.read('target/run/models/v_colors.sql')).toMatch(/^create or replace view "main"."v_colors" as\n\s*select id, upper\(color\)/);
    expect(p.read('target/run/seeds/colors.csv')).toMatch(/^create or replace table "main"."colors" as\n\s*select \* from read_csv\('.*seeds\/colors\.csv'/);
    const t = p.read('target/run/models/props.yml/unique_t_colors_id.sql');
    expect(t).toMatch(/^select count\(\*\) as failures from \(/);
    expect(t).toContain('"main"."t_colors"');
  });

  it('etlx show <model> --limit 2 prints a table', async () => {
    const r = await p.run('show', 'v_colors', '--limit', '2');
    expect(r.code, r.output).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^id\s*\|\s*color\s*$/);
    expect(lines[1]).toMatch(/^-+-\+-+$/);
    expect(lines[2]).toMatch(/^\d+\s*\|\s*(RED|GREEN|BLUE)\s*$/);
    // Zero rows: the header still names the columns.
    p.write({ 'models/nothing.sql': `{{config materialized="table"}}\nselect 1 as alpha, 'x' as beta where false` });
    expect((await p.run('run', '--select', 'nothing')).code).toBe(0);
    const empty = await p.run('show', 'nothing');
    expect(empty.code, empty.output).toBe(0);
    expect(empty.stdout.trim().split('\n')).toEqual(['alpha | beta', '------+-----']);
    p.remove('models/nothing.sql');
    const missing = await p.run('show', 'v_color');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/did you mean "v_colors"/);
  });
});

describe('the demo project', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('shop_warehouse');
    for (const d of ['etlx.yml', 'models', 'seeds', 'staging', 'macros', 'tests']) fs.cpSync(path.join(REPO, d), p.path(d), { recursive: true });
  });
  afterAll(() => p.cleanup());

  async function snapshot(): Promise<Record<string, unknown>> {
    const rels = await p.query(`select table_schema as s, table_name as n, table_type as t from information_schema.tables where table_schema <> 'etlx_meta' order by 1, 2`);
    const out: Record<string, unknown> = {};
    for (const r of rels) {
      const name = `"${String(r.s)}"."${String(r.n)}"`;
      const rows = await p.query(`select count(*) as n, md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) as h from ${name} as t`);
      out[`${name} ${String(r.t)}`] = rows[0];
    }
    return out;
  }

  it('builds twice with the same tables and contents', async () => {
    const r1 = await p.run('build');
    expect(r1.code, r1.output).toBe(0);
    const first = await snapshot();
    expect(Object.keys(first).length).toBeGreaterThan(10);
    const exports1 = fs.readdirSync(p.path('exports/daily_revenue')).sort();
    const r2 = await p.run('build');
    expect(r2.code, r2.output).toBe(0);
    expect(await snapshot()).toEqual(first);
    expect(fs.readdirSync(p.path('exports/daily_revenue')).sort()).toEqual(exports1);
    expect(p.runResults().results.filter((x) => x.status !== 'success' && x.status !== 'pass').map((x) => `${x.name}:${x.status}`)).toEqual(['events:warn']);
    expect(await p.query(`select count(*) as n from etlx_meta.invocations`)).toEqual([{ n: 2 }]);
  });
});
