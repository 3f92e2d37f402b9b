import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const COLUMNS = "select column_name as c, data_type as t from information_schema.columns where table_name = 'consumer' order by ordinal_position";
const TYPED = [
  { c: 'id', t: 'INTEGER' },
  { c: 'name', t: 'VARCHAR' },
  { c: 'tags', t: 'INTEGER[]' },
];

/** The statements of a node as target/run recorded the run executing them, paths relative like target/compiled's. */
function executed(p: TestProject, rel: string): string {
  return p.read(path.join('target/run', rel)).split(`${p.dir}/`).join('');
}

// The first run writes the zero-row JSON output and builds its readers: they must read it with
// its columns already (the types are recorded by the export, then its readers are rendered again).
describe('a zero-row JSON file model read in the same run that first writes it', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('ejf', {
      'etlx.yml': 'name: ejf\nvars:\n  keep: false\n',
      'models/export.sql': '{{config materialized="file" location="exports/e.json"}}\nselect 1::integer as id, \'x\' as name, [1, 2] as tags where {{var "keep"}}',
      'models/consumer.sql': '{{config materialized="table"}}\nselect id, name, tags from {{ref "export"}}',
      'models/consumer_view.sql': '{{config materialized="view"}}\nselect id + 1 as next_id from {{ref "export"}}',
      'models/through.sql': '{{config materialized="ephemeral"}}\nselect id, tags from {{ref "export"}}',
      'models/via_ephemeral.sql': '{{config materialized="table"}}\nselect id, tags[1] as first_tag from {{ref "through"}}',
      'models/props.yml': 'models:\n  - name: export\n    columns:\n      - name: id\n        tests: [not_null, unique]\n',
    });
  });
  afterAll(() => p.cleanup());

  it('a fresh project: one etlx build writes the empty export and builds every reader with the column types', async () => {
    expect(p.exists('ejf.duckdb')).toBe(false);
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(fs.statSync(p.path('exports/e.json')).size).toBe(0);
    expect(await p.query(COLUMNS)).toEqual(TYPED);
    expect(await p.query("select column_name as c, data_type as t from information_schema.columns where table_name = 'consumer_view'")).toEqual([{ c: 'next_id', t: 'INTEGER' }]);
    expect(await p.query("select column_name as c, data_type as t from information_schema.columns where table_name = 'via_ephemeral' order by ordinal_position")).toEqual([
      { c: 'id', t: 'INTEGER' },
      { c: 'first_tag', t: 'INTEGER' },
    ]);
    expect(await p.query('select count(*) as n from consumer')).toEqual([{ n: 0 }]);
    // Tests on the export read it typed too (an untyped empty file has no column "id").
    expect(p.statuses()).toMatchObject({ not_null_export_id: 'pass', unique_export_id: 'pass', consumer: 'success', consumer_view: 'success', via_ephemeral: 'success' });
    expect(executed(p, 'models/consumer.sql')).toContain("columns={'id': 'INTEGER', 'name': 'VARCHAR', 'tags': 'INTEGER[]'}");
  });

  it('etlx compile then renders the SQL that run executed', async () => {
    const r = await p.run('compile');
    expect(r.code, r.output).toBe(0);
    const compiled = p.read('target/compiled/models/consumer.sql').trim();
    expect(compiled).toContain("read_json('");
    expect(compiled).toContain("columns={'id': 'INTEGER', 'name': 'VARCHAR', 'tags': 'INTEGER[]'}");
    expect(executed(p, 'models/consumer.sql')).toContain(compiled);
    const viaEphemeral = p.read('target/compiled/models/via_ephemeral.sql').trim();
    expect(executed(p, 'models/via_ephemeral.sql')).toContain(viaEphemeral);
  });

  it('etlx docs generate shows that SQL too', async () => {
    const r = await p.run('docs', 'generate');
    expect(r.code, r.output).toBe(0);
    const manifest = JSON.parse(p.read('target/manifest.json')) as { nodes: Record<string, { compiled_code: string }> };
    expect(manifest.nodes['model.ejf.consumer']!.compiled_code).toContain("columns={'id': 'INTEGER', 'name': 'VARCHAR', 'tags': 'INTEGER[]'}");
  });

  it('a run that gives the export rows renders its readers without the recorded types again; compile agrees', async () => {
    const r = await p.run('build', '--vars', '{keep: true}');
    expect(r.code, r.output).toBe(0);
    expect(await p.query('select id, name from consumer')).toEqual([{ id: 1, name: 'x' }]);
    expect(executed(p, 'models/consumer.sql')).not.toContain('columns=');
    const c = await p.run('compile', '--vars', '{keep: true}');
    expect(c.code, c.output).toBe(0);
    expect(p.read('target/compiled/models/consumer.sql')).not.toContain('columns=');
  });

  it('back to zero rows with a new column: the readers built in that run see the new column at once', async () => {
    p.write({ 'models/export.sql': '{{config materialized="file" location="exports/e.json"}}\nselect 1::integer as id, \'x\' as name, [1, 2] as tags, 2.5::double as score where {{var "keep"}}' });
    p.write({ 'models/consumer.sql': '{{config materialized="table"}}\nselect id, name, tags, score from {{ref "export"}}' });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(COLUMNS)).toEqual([...TYPED, { c: 'score', t: 'DOUBLE' }]);
  });
});

// (Not --atomic: there a file output is moved into place only at COMMIT, so no node of the same
// run reads a new file model's dataset at all.)
describe('the same with threads', () => {
  const made: TestProject[] = [];
  afterAll(() => made.forEach((p) => p.cleanup()));

  for (const flags of [['--threads', '1'], ['--threads', '4']]) {
    it(`a fresh project's first build ${flags.join(' ')}: the consumer reads the empty export with its types`, async () => {
      const p = new TestProject('eja', {
        'models/export.sql': '{{config materialized="file" location="exports/e.json"}}\nselect 7::smallint as n, current_date as d where false',
        'models/consumer.sql': '{{config materialized="table"}}\nselect n, d from {{ref "export"}}',
        'models/other.sql': '{{config materialized="table"}}\nselect 1 as x',
      });
      made.push(p);
      const r = await p.run('build', ...flags);
      expect(r.code, r.output).toBe(0);
      expect(await p.query("select column_name as c, data_type as t from information_schema.columns where table_name = 'consumer' order by ordinal_position")).toEqual([
        { c: 'n', t: 'SMALLINT' },
        { c: 'd', t: 'DATE' },
      ]);
    });
  }
});

/** A child process holding the warehouse open until its stdin closes (see lock.test.ts). */
function holdOpen(file: string): Promise<ChildProcess> {
  const code = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(${JSON.stringify(file)});
    const c = await db.connect();
    process.stdout.write('locked\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { c.closeSync(); db.closeSync(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve(child));
    child.on('exit', (c) => reject(new Error(`holder exited early (${c})`)));
  });
}

describe('etlx compile while another process holds the warehouse', () => {
  let p: TestProject;
  afterAll(() => p.cleanup());

  it('warns that the recorded columns were not read and compiles (exit 0), the readers without the types', async () => {
    p = new TestProject('ejl', {
      'models/export.sql': '{{config materialized="file" location="exports/e.json"}}\nselect 1 as id where false',
      'models/consumer.sql': '{{config materialized="table"}}\nselect id from {{ref "export"}}',
    });
    expect((await p.run('build')).code).toBe(0);
    const holder = await holdOpen(p.db);
    try {
      const r = await p.run('compile');
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/is locked by .*the recorded columns of empty JSON outputs were not read.*\(export\)/);
      expect(p.read('target/compiled/models/consumer.sql')).not.toContain('columns=');
    } finally {
      const exited = new Promise<void>((resolve) => holder.on('exit', () => resolve()));
      holder.stdin!.end();
      await exited;
    }
    const free = await p.run('compile');
    expect(free.code, free.output).toBe(0);
    expect(p.read('target/compiled/models/consumer.sql')).toContain("columns={'id': 'INTEGER'}");
  });
});
