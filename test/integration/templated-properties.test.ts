import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const profiles = `tp:
  target: dev
  outputs:
    dev: {type: duckdb, path: wh.duckdb, schema: dev_s}
    prod: {type: duckdb, path: wh.duckdb, schema: prod_s}
`;

describe('templated values in properties files', () => {
  let p: TestProject | undefined;
  afterEach(() => p?.cleanup());

  it('a source schema "{{ target.schema }}" reads the active target\'s schema', async () => {
    p = new TestProject('tp', {
      'profiles.yml': profiles,
      'models/sources.yml': 'sources:\n  - name: raw\n    schema: "{{ target.schema }}"\n    tables:\n      - name: orders\n',
      'models/m.sql': '{{config materialized="table"}}\nselect * from {{source "raw" "orders"}}',
    });
    const wh = p.path('wh.duckdb');
    const { queryFile } = await import('./helpers.js');
    await queryFile(wh, "create schema dev_s; create schema prod_s; create table dev_s.orders as select 'dev' as t; create table prod_s.orders as select 'prod' as t");
    expect((await p.run('run')).code).toBe(0);
    expect((await p.run('run', '--target', 'prod')).code).toBe(0);
    expect(await queryFile(wh, 'select (select t from dev_s.m) as dev, (select t from prod_s.m) as prod')).toEqual([{ dev: 'dev', prod: 'prod' }]);
    expect((JSON.parse(p.read('target/manifest.json')) as { nodes: Record<string, { compiled_code: string }> }).nodes['model.tp.m']!.compiled_code).toContain('from "prod_s"."orders"');
  });

  it('a file model location "exports/{{target.name}}/x.parquet" writes a folder per target', async () => {
    p = new TestProject('tp', {
      'profiles.yml': profiles,
      'models/x.sql': 'select 1 as id',
      'models/props.yml': 'models:\n  - name: x\n    config:\n      materialized: file\n      location: "exports/{{target.name}}/x.parquet"\n',
    });
    expect((await p.run('run')).code).toBe(0);
    expect((await p.run('run', '--target', 'prod')).code).toBe(0);
    expect(p.exists('exports/dev/x.parquet')).toBe(true);
    expect(p.exists('exports/prod/x.parquet')).toBe(true);
    expect(p.exists('exports/{{target.name}}')).toBe(false);
  });

  it('a var and an env in a test argument and a config value render; an unknown var is exit 2 with file:line', async () => {
    p = new TestProject('tp', {
      'profiles.yml': profiles,
      'models/m.sql': "select 'a' as c union all select 'b'",
      'models/props.yml':
        'models:\n  - name: m\n    config:\n      alias: "m_{{env \\"SUFFIX\\"}}"\n    columns:\n      - name: c\n        tests:\n          - accepted_values: {values: ["a", "{{var \\"second\\"}}"]}\n',
      'etlx.yml': 'name: tp\nvars:\n  second: b\n',
    });
    const ok = await p.runWithEnv({ SUFFIX: 'v1' }, 'build');
    expect(ok.code, ok.output).toBe(0);
    expect(p.statuses()).toEqual({ m: 'success', accepted_values_m_c: 'pass' });
    expect(p.result('m')!.relation_name).toBe('"dev_s"."m_v1"');
    p.write({ 'models/props.yml': 'models:\n  - name: m\n    config:\n      alias: m\n      schema: "{{var \\"nope\\"}}"\n' });
    const bad = await p.run('build');
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/models\/props\.yml:5/);
    expect(bad.output).toMatch(/var "nope" has no value/);
    p.write({ 'models/props.yml': 'models:\n  - name: m\n    config:\n      schema: "{{target.nmae}}"\n' });
    const typo = await p.run('compile');
    expect(typo.code).toBe(2);
    expect(typo.output).toMatch(/models\/props\.yml:4/);
    expect(typo.output).toContain('did you mean {{target.name}}');
  });
});
