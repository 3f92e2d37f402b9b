import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

// A project named like one of its schemas: analytics.duckdb is the catalog `analytics`, so a
// two-part "analytics"."m" is "Ambiguous reference to catalog or schema" in DuckDB.
describe('relations are never ambiguous', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('analytics', {
      'seeds/codes.csv': 'id,code\n1,a\n2,b\n',
      'seeds/props.yml': 'seeds:\n  - name: codes\n    config: {schema: analytics}\n',
      'models/m.sql': `{{config materialized="table" schema="analytics"}}\nselect id, code from {{ref "codes"}}`,
      'models/v.sql': `{{config materialized="view" schema="analytics"}}\nselect * from {{ref "m"}}`,
      'models/inc.sql': `{{config materialized="incremental" schema="analytics" unique_key="id"}}\nselect * from {{ref "v"}}{{#if is_incremental}} where id > (select max(id) from {{self}}){{/if}}`,
      'models/t.sql': `{{config materialized="table" schema="temp"}}\nselect count(*) as n from {{ref "inc"}}`,
      'models/plain.sql': `{{config materialized="table"}}\nselect * from {{ref "m"}}`,
      'models/props.yml': 'models:\n  - name: m\n    columns:\n      - name: id\n        tests: [unique, not_null]\n',
    });
  });
  afterAll(() => p.cleanup());

  it('a model in schema analytics of project analytics builds, twice (incremental), with its tests', async () => {
    const first = await p.run('build');
    expect(first.output).not.toMatch(/Ambiguous/);
    expect(first.code).toBe(0);
    const second = await p.run('build');
    expect(second.code).toBe(0);
    expect(await p.query('select count(*) as n from "analytics"."analytics"."inc"')).toEqual([{ n: 2 }]);
    expect(await p.query('select n from "analytics"."temp"."t"')).toEqual([{ n: 2 }]);
  });

  it('only a colliding schema gets the catalog in its name; others stay two-part', async () => {
    await p.run('compile');
    const manifest = JSON.parse(p.read('target/manifest.json')) as { nodes: Record<string, { relation_name: string; compiled_code?: string }> };
    expect(manifest.nodes['model.analytics.m']!.relation_name).toBe('"analytics"."analytics"."m"');
    expect(manifest.nodes['model.analytics.t']!.relation_name).toBe('"analytics"."temp"."t"');
    expect(manifest.nodes['model.analytics.plain']!.relation_name).toBe('"main"."plain"');
    expect(manifest.nodes['model.analytics.plain']!.compiled_code).toContain('from "analytics"."analytics"."m"');
  });
});
