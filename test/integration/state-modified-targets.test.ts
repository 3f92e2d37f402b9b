import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

// state:modified compares what the user wrote, never what it renders to under a target.
describe('state:modified: another target is not a modification', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('sm', {
      'profiles.yml': 'sm:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: dev.duckdb, schema: dev_s}\n    prod: {type: duckdb, path: prod.duckdb, schema: prod_s}\n',
      'seeds/codes.csv': 'id\n1\n',
      'models/sources.yml': 'sources:\n  - name: raw\n    schema: "{{ target.schema }}"\n    tables:\n      - name: orders\n        identifier: "orders_{{target.name}}"\n',
      'models/a.sql': '{{config materialized="table"}}\nselect * from {{ref "codes"}} where \'{{target.name}}\' <> \'\' and \'{{self.schema}}\' <> \'\'',
      'models/b.sql': 'select * from {{ref "a"}}, {{source "raw" "orders"}}',
      'models/x.sql': 'select {{var "n" 1}} as n from {{ref "a"}}',
      'models/props.yml':
        'models:\n  - name: x\n    config:\n      materialized: file\n      location: "exports/{{target.name}}/x.parquet"\n    columns:\n      - name: n\n        tests:\n          - accepted_values: {values: [1]}\n',
    });
  });
  afterAll(() => p.cleanup());

  it('compile under dev, then state:modified under prod selects nothing', async () => {
    expect((await p.run('compile')).code).toBe(0);
    fs.cpSync(p.path('target'), p.path('dev-state'), { recursive: true });
    const r = await p.run('ls', '--select', 'state:modified', '--state', 'dev-state', '--target', 'prod');
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim()).toBe('');
  });

  it('what the user wrote still counts: a changed templated value, a changed file', async () => {
    p.write({ 'models/sources.yml': 'sources:\n  - name: raw\n    schema: "{{ target.schema }}_x"\n    tables:\n      - name: orders\n        identifier: "orders_{{target.name}}"\n' });
    p.write({ 'models/a.sql': '{{config materialized="table"}}\nselect * from {{ref "codes"}} where 1 = 1' });
    const r = await p.run('ls', '--select', 'state:modified', '--state', 'dev-state', '--target', 'prod');
    expect(r.stdout.trim().split('\n').sort()).toEqual(['a', 'raw.orders']);
  });
});
