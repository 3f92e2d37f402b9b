import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

// DuckDB writes a zero-row JSON export as a 0-byte file and reads it back as one `json` column.
describe('a zero-row JSON file model stays readable with its columns', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('ej', {
      'etlx.yml': 'name: ej\nvars:\n  keep: false\n',
      'models/export.sql': '{{config materialized="file" location="exports/e.json"}}\nselect 1::integer as id, \'x\' as name, [1, 2] as tags where {{var "keep"}}',
      'models/consumer.sql': '{{config materialized="table"}}\nselect id, name, tags from {{ref "export"}}',
    });
  });
  afterAll(() => p.cleanup());

  it('the export writes an empty file and records its columns in etlx_meta, leaving nothing beside it', async () => {
    const r = await p.run('run', '--select', 'export');
    expect(r.code, r.output).toBe(0);
    expect(fs.statSync(p.path('exports/e.json')).size).toBe(0);
    expect(fs.readdirSync(p.path('exports'))).toEqual(['e.json']);
    expect(await p.query('select pos, name, type from etlx_meta.json_output_columns order by pos')).toEqual([
      { pos: 1, name: 'id', type: 'INTEGER' },
      { pos: 2, name: 'name', type: 'VARCHAR' },
      { pos: 3, name: 'tags', type: 'INTEGER[]' },
    ]);
  });

  it('a downstream model reads it with its column types', async () => {
    const r = await p.run('run', '--select', 'consumer');
    expect(r.code, r.output).toBe(0);
    expect(await p.query("select column_name as c, data_type as t from information_schema.columns where table_name = 'consumer' order by ordinal_position")).toEqual([
      { c: 'id', t: 'INTEGER' },
      { c: 'name', t: 'VARCHAR' },
      { c: 'tags', t: 'INTEGER[]' },
    ]);
    expect(await p.query('select count(*) as n from consumer')).toEqual([{ n: 0 }]);
  });

  it('etlx show reads it with its columns', async () => {
    const r = await p.run('show', 'export');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/id.*name.*tags/);
    expect(r.stdout).not.toMatch(/\bjson\b/);
  });

  it('once it has rows again, its columns are forgotten and it is read by inference', async () => {
    type Manifest = { nodes: Record<string, { compiled_code: string }> };
    const r = await p.run('run', '--vars', '{keep: true}');
    expect(r.code, r.output).toBe(0);
    expect(await p.query('select id, name from consumer')).toEqual([{ id: 1, name: 'x' }]);
    // Rendered before the export ran: the dataset was still empty.
    expect((JSON.parse(p.read('target/manifest.json')) as Manifest).nodes['model.ej.consumer']!.compiled_code).toContain("columns={'id': 'INTEGER'");
    expect(await p.query('select count(*) as n from etlx_meta.json_output_columns')).toEqual([{ n: 0 }]);
    const next = await p.run('run', '--vars', '{keep: true}');
    expect(next.code, next.output).toBe(0);
    expect((JSON.parse(p.read('target/manifest.json')) as Manifest).nodes['model.ej.consumer']!.compiled_code).not.toContain('columns=');
  });
});
