import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFilesRec, lit, TestProject, type Row } from './helpers.js';

describe('failure isolation', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('fail', {
      'models/root.sql': `{{config materialized="table"}}\nselect i as id from range(1, 11) t(i)`,
      'models/flaky.sql': `{{config materialized="table"}}\nselect id, id * 2 as twice from {{ref "root"}}`,
      'models/flaky_child.sql': `{{config materialized="table"}}\nselect count(*) as n from {{ref "flaky"}}`,
      'models/flaky_grandchild.sql': `{{config materialized="view"}}\nselect n + 1 as n1 from {{ref "flaky_child"}}`,
      'models/sibling.sql': `{{config materialized="table"}}\nselect id from {{ref "root"}} where id % 2 = 0`,
      'models/sibling_child.sql': `{{config materialized="view"}}\nselect count(*) as n from {{ref "sibling"}}`,
    });
  });
  afterAll(() => p.cleanup());

  it('first run builds everything', async () => {
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select count(*) as n, sum(twice) as s from main.flaky`)).toEqual([{ n: 10, s: 110 }]);
  });

  it('a run-time SQL error leaves the old table intact, skips downstream and builds siblings', async () => {
    p.write({
      'models/flaky.sql': `{{config materialized="table"}}\nselect id, case when id = 7 then 'abc' else id::varchar end::integer as twice from {{ref "root"}}`,
      'models/root.sql': `{{config materialized="table"}}\nselect i as id from range(1, 13) t(i)`,
    });
    const r = await p.run('run');
    expect(r.code).toBe(1);
    expect(p.statuses()).toEqual({
      root: 'success',
      flaky: 'error',
      flaky_child: 'skipped',
      flaky_grandchild: 'skipped',
      sibling: 'success',
      sibling_child: 'success',
    });
    const flaky = p.result('flaky')!;
    expect(flaky.message).toMatch(/Conversion Error/i);
    expect(flaky.message).toContain('abc');
    expect(flaky.rows_affected).toBeNull();
    expect(p.result('flaky_child')!.message).toMatch(/flaky failed/);
    expect(p.result('flaky_grandchild')!.message).toMatch(/flaky failed/);
    // Old contents of the failed model and its skipped child; new contents of the sibling.
    expect(await p.query(`select count(*) as n, sum(twice) as s from main.flaky`)).toEqual([{ n: 10, s: 110 }]);
    expect(await p.query(`select n from main.flaky_child`)).toEqual([{ n: 10 }]);
    expect(await p.query(`select count(*) as n from main.sibling`)).toEqual([{ n: 6 }]);
    expect(await p.query(`select n from main.sibling_child`)).toEqual([{ n: 6 }]);
    expect(r.output).toMatch(/ERROR table model main\.flaky/);
    expect(r.output).toMatch(/in models\/flaky\.sql/);
  });

  it('--fail-fast starts nothing new after the first failure', async () => {
    p.write({
      'models/a_first.sql': `{{config materialized="table"}}\nselect 'x'::integer as boom`,
      'models/flaky.sql': `{{config materialized="table"}}\nselect id, id * 2 as twice from {{ref "root"}}`,
    });
    const r = await p.run('run', '--fail-fast', '--threads', '1');
    expect(r.code).toBe(1);
    const st = p.statuses();
    expect(st.a_first).toBe('error');
    // a_first is first in topological order (no parents; ties by id), so nothing else started.
    for (const name of ['root', 'flaky', 'flaky_child', 'flaky_grandchild', 'sibling', 'sibling_child']) expect(st[name], name).toBe('skipped');
    expect(p.result('root')!.message).toMatch(/fail-fast/);
    // Untouched: root still has the 12 rows of the previous run, flaky its old 10.
    expect(await p.query(`select count(*) as n from main.root`)).toEqual([{ n: 12 }]);
    expect(await p.query(`select count(*) as n from main.flaky`)).toEqual([{ n: 10 }]);
    p.remove('models/a_first.sql');
  });

  it('without --fail-fast the same failure costs only its own descendants', async () => {
    p.write({ 'models/a_first.sql': `{{config materialized="table"}}\nselect 'x'::integer as boom` });
    const r = await p.run('run', '--threads', '1');
    expect(r.code).toBe(1);
    const st = p.statuses();
    expect(st.a_first).toBe('error');
    expect(Object.entries(st).filter(([k]) => k !== 'a_first').every(([, v]) => v === 'success')).toBe(true);
    expect(await p.query(`select count(*) as n, sum(twice) as s from main.flaky`)).toEqual([{ n: 12, s: 156 }]);
    p.remove('models/a_first.sql');
  });
});

/** A wide DAG: 5 roots, 10 middles (views and tables) over two roots each, 5 leaves over three middles. */
function wideProject(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 5; i++) {
    files[`models/root_${i}.sql`] = `{{config materialized="table"}}\nselect r as k, (r * ${i + 3}) % 17 as v from range(0, ${200 + i * 50}) t(r)`;
  }
  for (let i = 0; i < 10; i++) {
    const a = i % 5;
    const b = (i * 3 + 1) % 5;
    const mat = i % 3 === 0 ? 'view' : 'table';
    files[`models/mid_${String(i).padStart(2, '0')}.sql`] =
      `{{config materialized="${mat}"}}\nselect x.k, x.v + y.v as v from {{ref "root_${a}"}} as x join {{ref "root_${b}"}} as y using (k)`;
  }
  for (let i = 0; i < 5; i++) {
    const m = [i, (i + 3) % 10, (i + 7) % 10].map((x) => `mid_${String(x).padStart(2, '0')}`);
    files[`models/leaf_${i}.sql`] =
      `{{config materialized="table"}}\nselect a.k % 10 as bucket, count(*) as n, sum(a.v + b.v + c.v) as total\nfrom {{ref "${m[0]}"}} as a join {{ref "${m[1]}"}} as b using (k) join {{ref "${m[2]}"}} as c using (k)\ngroup by 1`;
  }
  return files;
}

async function snapshot(p: TestProject): Promise<Record<string, Row[]>> {
  const tables = await p.query(`select table_name as n, table_type as t from information_schema.tables where table_schema = 'main' order by 1`);
  const out: Record<string, Row[]> = {};
  for (const t of tables) {
    const name = String(t.n);
    out[`${name}:${String(t.t)}`] = await p.query(`select * from main.${name} order by all`);
  }
  return out;
}

describe('--threads', () => {
  const projects: TestProject[] = [];
  afterAll(() => projects.forEach((p) => p.cleanup()));

  it('--threads 4 builds the same warehouse as --threads 1 on a wide DAG', async () => {
    const one = new TestProject('wide', wideProject());
    const four = new TestProject('wide', wideProject());
    projects.push(one, four);
    const r1 = await one.run('run', '--threads', '1');
    const r4 = await four.run('run', '--threads', '4');
    expect(r1.code, r1.output).toBe(0);
    expect(r4.code, r4.output).toBe(0);
    expect(one.runResults().results).toHaveLength(20);
    expect(four.runResults().results.map((x) => [x.name, x.status, x.rows_affected])).toEqual(one.runResults().results.map((x) => [x.name, x.status, x.rows_affected]));
    expect(four.runResults().args.threads).toBe(4);
    const s1 = await snapshot(one);
    const s4 = await snapshot(four);
    expect(Object.keys(s1)).toHaveLength(20);
    expect(s4).toEqual(s1);

    // And a second run at 4 threads gives the same again.
    const again = await four.run('run', '--threads', '4');
    expect(again.code, again.output).toBe(0);
    expect(await snapshot(four)).toEqual(s1);
  });
});

describe('etlx retry', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('rt', {
      'models/ok.sql': `{{config materialized="table"}}\nselect 1 as x`,
      'models/gone.sql': `{{config materialized="table"}}\nselect 'a'::integer as x`,
      'models/gone_child.sql': `{{config materialized="table"}}\nselect * from {{ref "gone"}}`,
      'models/fixable.sql': `{{config materialized="table"}}\nselect {{var "val" "'b'"}}::integer as x`,
    });
  });
  afterAll(() => p.cleanup());

  it('ignores ids that no longer exist and keeps the last run\'s flags', async () => {
    const r = await p.run('run', '--threads', '2');
    expect(r.code).toBe(1);
    expect(p.statuses()).toEqual({ ok: 'success', gone: 'error', gone_child: 'skipped', fixable: 'error' });
    p.remove('models/gone.sql', 'models/gone_child.sql');
    p.write({ 'models/fixable.sql': `{{config materialized="table"}}\nselect 7 as x` });
    const retry = await p.run('retry');
    expect(retry.code, retry.output).toBe(0);
    expect(p.statuses()).toEqual({ fixable: 'success' });
    expect(p.runResults().args).toMatchObject({ command: 'run', threads: 2, select: ['fixable'] });
    expect(await p.query(`select x from main.fixable`)).toEqual([{ x: 7 }]);
  });

  it('without run_results.json there is nothing to retry (exit 2)', async () => {
    p.remove('target/run_results.json');
    const r = await p.run('retry');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to retry/);
  });
});

describe('--atomic', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('atom', {
      'seeds/s.csv': 'a\n1\n',
      'models/t1.sql': `{{config materialized="table"}}\nselect {{var "v" 1}} as v`,
      'models/inc.sql': `{{config materialized="incremental" unique_key="v"}}\nselect v from {{ref "t1"}}`,
      'models/f.sql': `{{config materialized="file" location="out/f.parquet"}}\nselect v from {{ref "t1"}}`,
      'models/t2.sql': `{{config materialized="table"}}\nselect {{var "bad" "1"}}::integer as v from {{ref "inc"}}`,
      'models/t3.sql': `{{config materialized="table"}}\nselect * from {{ref "t2"}}`,
    });
  });
  afterAll(() => p.cleanup());

  it('a failure rolls the whole run back: tables, incremental rows and file outputs are as before', async () => {
    const r1 = await p.run('build', '--atomic');
    expect(r1.code, r1.output).toBe(0);
    const r2 = await p.run('build', '--atomic', '--vars', `{v: 2, bad: "'x'"}`);
    expect(r2.code).toBe(1);
    expect(r2.output).toMatch(/rolled back/);
    const st = p.statuses();
    expect(st.t2).toBe('error');
    expect(st.t3).toBe('skipped');
    // One error only: nothing else was started in the aborted transaction.
    expect(Object.values(st).filter((x) => x === 'error')).toHaveLength(1);
    expect(p.runResults().results.some((x) => /transaction is aborted/i.test(x.message ?? ''))).toBe(false);
    expect(await p.query(`select v from main.t1`)).toEqual([{ v: 1 }]);
    expect(await p.query(`select v from main.inc order by v`)).toEqual([{ v: 1 }]);
    expect(await p.query(`select count(*) as n from main.t2`)).toEqual([{ n: 1 }]);
    expect(await p.queryMemory(`select v from read_parquet(${lit(p.path('out/f.parquet'))})`)).toEqual([{ v: 1 }]);
    expect(fs.readdirSync(p.path('out'))).toEqual(['f.parquet']);
    // The run is still in the history.
    expect(await p.query(`select exit_code from etlx_meta.invocations order by started_at`)).toEqual([{ exit_code: 0 }, { exit_code: 1 }]);
    const r3 = await p.run('build', '--atomic', '--vars', '{v: 2}');
    expect(r3.code, r3.output).toBe(0);
    expect(await p.query(`select v from main.inc order by v`)).toEqual([{ v: 1 }, { v: 2 }]);
    expect(await p.queryMemory(`select v from read_parquet(${lit(p.path('out/f.parquet'))})`)).toEqual([{ v: 2 }]);
    expect(listFilesRec(p.path('out'))).toEqual(['f.parquet']);
  });
});

describe('interrupting a run (SIGINT)', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('intr', {
      'models/a_slow.sql': `{{config materialized="table"}}\nselect count(*) as n from range(100000000000) t(i) where i % 7 = 3`,
      'models/b_after.sql': `{{config materialized="table"}}\nselect 1 as x`,
      'models/c_child.sql': `{{config materialized="table"}}\nselect * from {{ref "a_slow"}}`,
    });
  });
  afterAll(() => p.cleanup());

  it('starts nothing new, interrupts the running query, writes run_results and exits 130', async () => {
    const log = p.path('target/logs/etlx.log');
    const running = p.run('run', '--threads', '1');
    // Wait until the slow model's query is running, then send SIGINT to this process's handlers.
    const t0 = Date.now();
    while (!(fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('"node_start"'))) {
      if (Date.now() - t0 > 10_000) throw new Error('the run did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    process.emit('SIGINT');
    const r = await running;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(130);
    expect(r.output).toMatch(/Interrupted/);
    const rr = p.runResults();
    expect(rr.status).toBe('interrupted');
    expect(rr.exit_code).toBe(130);
    expect(p.statuses()).toEqual({ a_slow: 'error', b_after: 'skipped', c_child: 'skipped' });
    expect(p.result('a_slow')!.message).toBe('interrupted');
    expect(p.result('b_after')!.message).toBe('skipped: the run was interrupted');
    expect(await p.query(`select table_name from information_schema.tables where table_schema = 'main'`)).toEqual([]);
    expect(await p.query(`select status, exit_code from etlx_meta.invocations`)).toEqual([{ status: 'interrupted', exit_code: 130 }]);
  });
});

