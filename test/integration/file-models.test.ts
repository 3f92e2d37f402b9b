import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitOutput, journalPath, recoverOutput } from '../../src/run/file-moves.js';
import { listFilesRec, lit, runWithFault, TestProject } from './helpers.js';


/** Hidden leftovers of a file model's writes next to `dir/<name>`. */
function leftovers(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.includes('.etlx-')) : [];
}

describe('file models', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('files', {
      'models/src_rows.sql': `{{config materialized="table"}}\nselect i as id, i % 3 as g, 'r' || i as label from range(6) t(i)`,
      'models/f_parquet.sql': `{{config materialized="file" location="out/rows.parquet"}}\nselect * from {{ref "src_rows"}}`,
      'models/f_csv.sql': `{{config materialized="file" location="out/rows.csv"}}\nselect * from {{ref "src_rows"}}`,
      'models/f_json.sql': `{{config materialized="file" location="out/rows.json"}}\nselect * from {{ref "src_rows"}}`,
      'models/f_part.sql': `{{config materialized="file" location="out/part" partition_by="g"}}\nselect * from {{ref "src_rows"}}`,
      'models/f_part_csv.sql': `{{config materialized="file" location="out/part_csv" format="csv" partition_by="g"}}\nselect * from {{ref "src_rows"}}`,
      'models/z_parquet.sql': `{{config materialized="file" location="out/zero.parquet"}}\nselect * from {{ref "src_rows"}} where false`,
      'models/z_csv.sql': `{{config materialized="file" location="out/zero.csv"}}\nselect * from {{ref "src_rows"}} where false`,
      'models/z_json.sql': `{{config materialized="file" location="out/zero.json"}}\nselect * from {{ref "src_rows"}} where false`,
      'models/z_part.sql': `{{config materialized="file" location="out/zero_part" partition_by="g"}}\nselect * from {{ref "src_rows"}} where false`,
      'models/downstream.sql': [
        `{{config materialized="table"}}`,
        `select 'parquet' as k, count(*) as n, sum(id) as s from {{ref "f_parquet"}}`,
        `union all select 'csv', count(*), sum(id) from {{ref "f_csv"}}`,
        `union all select 'json', count(*), sum(id) from {{ref "f_json"}}`,
        `union all select 'part', count(*), sum(id) from {{ref "f_part"}}`,
        `union all select 'zero_part', count(*), sum(id) from {{ref "z_part"}}`,
      ].join('\n'),
    });
  });
  afterAll(() => p.cleanup());

  it('writes parquet, csv and json files and a partitioned directory; readers get the rows back', async () => {
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    const want = await p.query(`select id, g, label from main.src_rows order by id`);
    for (const [file, reader] of [
      ['out/rows.parquet', 'read_parquet'],
      ['out/rows.csv', 'read_csv'],
      ['out/rows.json', 'read_json'],
    ] as const) {
      expect(fs.statSync(p.path(file)).isFile(), file).toBe(true);
      expect(await p.queryMemory(`select id, g, label from ${reader}(${lit(p.path(file))}) order by id`), file).toEqual(want);
    }
    expect(listFilesRec(p.path('out/part'))).toEqual(['g=0/data_0.parquet', 'g=1/data_0.parquet', 'g=2/data_0.parquet']);
    expect(await p.queryMemory(`select id, g, label from read_parquet(${lit(p.path('out/part/**/*.parquet'))}, hive_partitioning=true) order by id`)).toEqual(want);
    expect(listFilesRec(p.path('out/part_csv'))).toEqual(['g=0/data_0.csv', 'g=1/data_0.csv', 'g=2/data_0.csv']);
    expect(await p.queryMemory(`select count(*) as n from read_csv(${lit(p.path('out/part_csv/**/*.csv'))}, hive_partitioning=true)`)).toEqual([{ n: 6 }]);
    expect(p.result('f_parquet')!.rows_affected).toBe(6);
    expect(p.result('f_part')!.rows_affected).toBe(6);
    // No relation for a file model; nothing left beside the outputs.
    expect(await p.query(`select table_name from information_schema.tables where table_name like 'f_%' or table_name like 'z_%'`)).toEqual([]);
    expect(leftovers(p.path('out'))).toEqual([]);
  });

  it('{{ref}} of a file model reads the file from a downstream table model', async () => {
    expect(await p.query(`select k, n, s from main.downstream order by k`)).toEqual([
      { k: 'csv', n: 6, s: 15 },
      { k: 'json', n: 6, s: 15 },
      { k: 'parquet', n: 6, s: 15 },
      { k: 'part', n: 6, s: 15 },
      { k: 'zero_part', n: 0, s: null },
    ]);
    // The executed SQL names the file by absolute path.
    expect(p.read('target/run/models/downstream.sql')).toContain(`read_parquet('${p.path('out/rows.parquet')}')`);
  });

  it('zero rows still leave a readable dataset with its columns (partitioned too)', async () => {
    const cols = async (sql: string) => (await p.queryMemory(`describe ${sql}`)).map((r) => r.column_name);
    expect(await cols(`select * from read_parquet(${lit(p.path('out/zero.parquet'))})`)).toEqual(['id', 'g', 'label']);
    expect(await cols(`select * from read_csv(${lit(p.path('out/zero.csv'))})`)).toEqual(['id', 'g', 'label']);
    expect(await cols(`select * from read_parquet(${lit(p.path('out/zero_part/**/*.parquet'))}, hive_partitioning=true)`)).toEqual(['id', 'g', 'label']);
    for (const sql of [
      `read_parquet(${lit(p.path('out/zero.parquet'))})`,
      `read_csv(${lit(p.path('out/zero.csv'))})`,
      `read_json(${lit(p.path('out/zero.json'))})`,
      `read_parquet(${lit(p.path('out/zero_part/**/*.parquet'))}, hive_partitioning=true)`,
    ]) {
      expect(await p.queryMemory(`select count(*) as n from ${sql}`), sql).toEqual([{ n: 0 }]);
    }
    expect(p.result('z_part')!.rows_affected).toBe(0);
    expect(p.result('z_part')!.status).toBe('success');
  });

  it('a second run replaces the datasets (a partition that is gone disappears)', async () => {
    p.write({ 'models/src_rows.sql': `{{config materialized="table"}}\nselect i as id, i % 2 as g, 'v2_' || i as label from range(4) t(i)` });
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    expect(listFilesRec(p.path('out/part'))).toEqual(['g=0/data_0.parquet', 'g=1/data_0.parquet']);
    expect(await p.queryMemory(`select count(*) as n, min(label) as l from read_parquet(${lit(p.path('out/rows.parquet'))})`)).toEqual([{ n: 4, l: 'v2_0' }]);
    expect(await p.query(`select n from main.downstream where k = 'part'`)).toEqual([{ n: 4 }]);
    expect(leftovers(p.path('out'))).toEqual([]);
  });

  it('a failing export leaves the previous dataset readable and no .etlx-tmp sibling behind', async () => {
    p.write({
      'models/f_parquet.sql': `{{config materialized="file" location="out/rows.parquet"}}\nselect id, case when id = 3 then 'boom' else id::varchar end::integer as bad from {{ref "src_rows"}}`,
      'models/f_part.sql': `{{config materialized="file" location="out/part" partition_by="g"}}\nselect *, case when id = 3 then 'boom' else '1' end::integer as bad from {{ref "src_rows"}}`,
    });
    const r = await p.run('run');
    expect(r.code).toBe(1);
    expect(p.result('f_parquet')!.status).toBe('error');
    expect(p.result('f_part')!.status).toBe('error');
    expect(p.result('downstream')!.status).toBe('skipped');
    expect(p.result('f_csv')!.status).toBe('success');
    expect(await p.queryMemory(`select count(*) as n, min(label) as l from read_parquet(${lit(p.path('out/rows.parquet'))})`)).toEqual([{ n: 4, l: 'v2_0' }]);
    expect(await p.queryMemory(`select count(*) as n from read_parquet(${lit(p.path('out/part/**/*.parquet'))}, hive_partitioning=true)`)).toEqual([{ n: 4 }]);
    expect(leftovers(p.path('out'))).toEqual([]);
    expect(fs.readdirSync(p.path('out')).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('incremental file models', () => {
  let p: TestProject;
  const INC = 'materialized="file" incremental_strategy="append"';
  beforeAll(() => {
    p = new TestProject('incfiles', {
      'models/batch.sql': `{{config materialized="table"}}\nselect {{var "batch" 1}} as batch, i as id, i % 2 as g from range({{var "rows" 3}}) t(i)`,
      'models/inc_file.sql': `{{config ${INC} location="out/events"}}\nselect batch, id, {{#if is_incremental}}true{{else}}false{{/if}} as was_inc from {{ref "batch"}}`,
      'models/inc_part.sql': `{{config ${INC} location="out/events_part" partition_by="g"}}\nselect batch, id, g from {{ref "batch"}}`,
      'models/inc_zero.sql': `{{config ${INC} location="out/zero_inc" partition_by="g"}}\nselect batch, id, g from {{ref "batch"}} where false`,
      'models/inc_keep.sql': `{{config ${INC} location="out/keep" full_refresh=false}}\nselect batch, id from {{ref "batch"}}`,
      'models/inc_default.sql': `{{config ${INC}}}\nselect batch from {{ref "batch"}}`,
      'models/reader.sql': `{{config materialized="table"}}\nselect batch, count(*) as n from {{ref "inc_file"}} group by batch`,
    });
  });
  afterAll(() => p.cleanup());

  async function run(vars: string, ...flags: string[]): Promise<void> {
    const r = await p.run('run', '--vars', vars, ...flags);
    expect(r.code, r.output).toBe(0);
  }

  it('adds new files on each run instead of rewriting the dataset', async () => {
    await run('{batch: 1, rows: 3}');
    const first = listFilesRec(p.path('out/events'));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/\.parquet$/);
    const partFirst = listFilesRec(p.path('out/events_part'));
    expect(partFirst.map((f) => f.split('/')[0])).toEqual(['g=0', 'g=1']);
    expect(await p.query(`select batch, n from main.reader`)).toEqual([{ batch: 1, n: 3 }]);
    // Without a location, an incremental file model writes into the folder exports/<name>.
    expect(listFilesRec(p.path('exports/inc_default'))).toHaveLength(1);

    // Runs in the same second still get distinct file names.
    await run('{batch: 2, rows: 4}');
    const second = listFilesRec(p.path('out/events'));
    expect(second).toHaveLength(2);
    expect(second).toContain(first[0]);
    expect(listFilesRec(p.path('out/events_part'))).toHaveLength(4);
    expect(listFilesRec(p.path('exports/inc_default'))).toHaveLength(2);
    expect(await p.query(`select batch, n from main.reader order by batch`)).toEqual([
      { batch: 1, n: 3 },
      { batch: 2, n: 4 },
    ]);
    const glob = lit(p.path('out/events/*.parquet'));
    expect(await p.queryMemory(`select batch, was_inc, count(*) as n from read_parquet(${glob}) group by all order by batch`)).toEqual([
      { batch: 1, was_inc: false, n: 3 },
      { batch: 2, was_inc: true, n: 4 },
    ]);
    expect(await p.queryMemory(`select count(*) as n from read_parquet(${lit(p.path('out/events_part/**/*.parquet'))}, hive_partitioning=true)`)).toEqual([{ n: 7 }]);
    expect(leftovers(p.path('out'))).toEqual([]);
  });

  it('a partitioned incremental file model with zero rows still leaves a readable dataset with its columns', async () => {
    const files = listFilesRec(p.path('out/zero_inc'));
    expect(files).toHaveLength(1);
    const glob = `read_parquet(${lit(p.path('out/zero_inc/**/*.parquet'))}, hive_partitioning=true)`;
    expect((await p.queryMemory(`describe select * from ${glob}`)).map((r) => r.column_name)).toEqual(['batch', 'id', 'g']);
    expect(await p.queryMemory(`select count(*) as n from ${glob}`)).toEqual([{ n: 0 }]);
  });

  it('--full-refresh rewrites an incremental file dataset; full_refresh: false protects one', async () => {
    expect(listFilesRec(p.path('out/keep'))).toHaveLength(2);
    await run('{batch: 3, rows: 2}', '--full-refresh');
    expect(listFilesRec(p.path('out/events'))).toHaveLength(1);
    expect(await p.query(`select batch, n from main.reader`)).toEqual([{ batch: 3, n: 2 }]);
    expect(await p.queryMemory(`select distinct was_inc from read_parquet(${lit(p.path('out/events/*.parquet'))})`)).toEqual([{ was_inc: false }]);
    expect(listFilesRec(p.path('out/events_part')).map((f) => f.split('/')[0])).toEqual(['g=0', 'g=1']);
    expect(listFilesRec(p.path('out/keep'))).toHaveLength(3);
    expect(await p.queryMemory(`select batch, count(*) as n from read_parquet(${lit(p.path('out/keep/*.parquet'))}) group by 1 order by 1`)).toEqual([
      { batch: 1, n: 3 },
      { batch: 2, n: 4 },
      { batch: 3, n: 2 },
    ]);
    expect(leftovers(p.path('out'))).toEqual([]);
  });

  it('a failing incremental export adds nothing', async () => {
    p.write({ 'models/inc_file.sql': `{{config ${INC} location="out/events"}}\nselect batch, ('x' || id)::integer as broken from {{ref "batch"}}` });
    const r = await p.run('run', '--select', 'inc_file');
    expect(r.code).toBe(1);
    expect(listFilesRec(p.path('out/events'))).toHaveLength(1);
    expect(leftovers(p.path('out'))).toEqual([]);
  });
});

describe('file moves: recovery after a crash', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };

  it('a journaled replace is finished: the staging copy becomes the dataset, the old one is removed', () => {
    const final = path.join(dir, 'a', 'ds');
    const staging = path.join(dir, 'a', '.ds.etlx-tmp-1234abcd');
    const old = path.join(dir, 'a', '.ds.etlx-old-1234abcd');
    write(path.join(final, 'k=1', 'old.parquet'), 'old');
    write(path.join(staging, 'k=2', 'new.parquet'), 'new');
    write(journalPath(final), JSON.stringify({ version: 1, mode: 'replace', final, staging, old }));
    const notes = recoverOutput(final);
    expect(notes.join('\n')).toMatch(/finished an interrupted move/);
    expect(listFilesRec(final)).toEqual(['k=2/new.parquet']);
    expect(fs.readdirSync(path.join(dir, 'a'))).toEqual(['ds']);
  });

  it('a crash between the two renames (final moved away, staging not yet in place) is finished', () => {
    const final = path.join(dir, 'b', 'out.parquet');
    const staging = path.join(dir, 'b', '.out.parquet.etlx-tmp-1');
    const old = path.join(dir, 'b', '.out.parquet.etlx-old-1');
    write(old, 'old');
    write(staging, 'new');
    write(journalPath(final), JSON.stringify({ version: 1, mode: 'replace', final, staging, old }));
    recoverOutput(final);
    expect(fs.readFileSync(final, 'utf8')).toBe('new');
    expect(fs.readdirSync(path.join(dir, 'b'))).toEqual(['out.parquet']);
  });

  it('a staging folder without a journal was never complete and is discarded; the dataset stays', () => {
    const final = path.join(dir, 'c', 'ds');
    write(path.join(final, 'data_0.parquet'), 'current');
    write(path.join(dir, 'c', '.ds.etlx-tmp-deadbeef', 'data_0.parquet'), 'half');
    const notes = recoverOutput(final);
    expect(notes.join('\n')).toMatch(/discarded \.ds\.etlx-tmp-deadbeef/);
    expect(fs.readdirSync(path.join(dir, 'c'))).toEqual(['ds']);
    expect(fs.readFileSync(path.join(final, 'data_0.parquet'), 'utf8')).toBe('current');
  });

  it('an old copy left without its dataset is restored', () => {
    const final = path.join(dir, 'd', 'out.csv');
    write(path.join(dir, 'd', '.out.csv.etlx-old-1'), 'previous');
    const notes = recoverOutput(final);
    expect(notes.join('\n')).toMatch(/restored/);
    expect(fs.readFileSync(final, 'utf8')).toBe('previous');
  });

  it('a journaled add moves the remaining staged files into the dataset', () => {
    const final = path.join(dir, 'e', 'ds');
    const staging = path.join(dir, 'e', '.ds.etlx-tmp-2');
    write(path.join(final, 'run1.parquet'), '1');
    write(path.join(staging, 'run2.parquet'), '2');
    write(path.join(staging, 'g=1', 'run2_0.parquet'), '3');
    write(journalPath(final), JSON.stringify({ version: 1, mode: 'add', final, staging, old: path.join(dir, 'e', '.ds.etlx-old-2') }));
    recoverOutput(final);
    expect(listFilesRec(final)).toEqual(['g=1/run2_0.parquet', 'run1.parquet', 'run2.parquet']);
    expect(fs.readdirSync(path.join(dir, 'e'))).toEqual(['ds']);
  });

  it('an unreadable journal is dropped and the dataset is left alone', () => {
    const final = path.join(dir, 'f', 'x.parquet');
    write(final, 'keep');
    write(journalPath(final), '{not json');
    recoverOutput(final);
    expect(fs.readdirSync(path.join(dir, 'f'))).toEqual(['x.parquet']);
    expect(fs.readFileSync(final, 'utf8')).toBe('keep');
  });

  it('commitOutput replaces a dataset and leaves no journal or old copy', () => {
    const final = path.join(dir, 'g', 'ds');
    const staging = path.join(dir, 'g', '.ds.etlx-tmp-3');
    write(path.join(final, 'a'), 'old');
    write(path.join(staging, 'b'), 'new');
    commitOutput('replace', final, staging, '3');
    expect(listFilesRec(final)).toEqual(['b']);
    expect(fs.readdirSync(path.join(dir, 'g'))).toEqual(['ds']);
  });

  it('a real crash mid-move (ETLX_FAULT) is finished by the next run', async () => {
    const p = new TestProject('crash', {
      'models/exp.sql': `{{config materialized="file" location="out/exp.parquet"}}\nselect {{var "v" 1}} as v`,
    });
    try {
      expect((await p.run('run')).code).toBe(0);
      // Run the CLI from source in a child process that SIGKILLs itself between the two renames.
      const child = runWithFault(p.dir, 'file-move-between', ['run', '--vars', '{v: 2}']);
      expect(child.signal).toBe('SIGKILL');
      // Killed between the renames: the dataset is missing; the journal is beside it, its old copy
      // and the staged one in the project's staging folder, outside out/ (no reader's glob sees them).
      expect(fs.existsSync(p.path('out/exp.parquet'))).toBe(false);
      expect(leftovers(p.path('out'))).toEqual(['.exp.parquet.etlx-move.json']);
      expect(fs.readdirSync(p.path('.etlx-outputs/staging')).sort()).toEqual([
        expect.stringMatching(/^exp\.parquet-[0-9a-f]{10}\.old-[0-9a-f]+$/),
        expect.stringMatching(/^exp\.parquet-[0-9a-f]{10}\.tmp-[0-9a-f]{8}$/),
        expect.stringMatching(/^exp\.parquet-[0-9a-f]{10}\.tmp-[0-9a-f]{8}\.owner\.json$/),
      ]);
      // The next run finishes the move first (v = 2 was complete), then writes its own output.
      const r = await p.run('run', '--vars', '{v: 3}', '--select', 'exp');
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/finished an interrupted move/);
      expect(await p.queryMemory(`select v from read_parquet(${lit(p.path('out/exp.parquet'))})`)).toEqual([{ v: 3 }]);
      expect(leftovers(p.path('out'))).toEqual([]);
      expect(fs.readdirSync(p.path('.etlx-outputs/staging'))).toEqual([]);
    } finally {
      p.cleanup();
    }
  }, 30_000);
});
