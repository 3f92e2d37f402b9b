import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFile, TestProject } from './helpers.js';

type Manifest = { metadata: Record<string, unknown>; nodes: Record<string, { compiled_code?: string }> };

// CI builds only what changed, on an empty warehouse, reading unchanged parents from production.
describe('--defer --state: unselected, unbuilt refs read the state warehouse', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = new TestProject('dp', {
      'profiles.yml': 'dp:\n  target: prod\n  outputs:\n    prod: {type: duckdb, path: prod.duckdb}\n    ci: {type: duckdb, path: ci.duckdb}\n',
      'seeds/nums.csv': 'n\n1\n2\n3\n',
      'models/a.sql': '{{config materialized="table"}}\nselect n from {{ref "nums"}}',
      'models/b.sql': '{{config materialized="view"}}\nselect n * 10 as n from {{ref "a"}}',
      'models/c.sql': '{{config materialized="table"}}\nselect sum(n) as total from {{ref "b"}}',
      'models/props.yml': 'models:\n  - name: c\n    columns:\n      - name: total\n        tests: [not_null]\n',
    });
    const prod = await p.run('build');
    expect(prod.code, prod.output).toBe(0);
    fs.cpSync(p.path('target'), p.path('prod-artifacts'), { recursive: true });
  });
  afterAll(() => p.cleanup());

  it('the manifest records its target, warehouse path (project-relative) and schema', () => {
    const m = JSON.parse(p.read('prod-artifacts/manifest.json')) as Manifest;
    expect(m.metadata).toMatchObject({ target_name: 'prod', warehouse_path: 'prod.duckdb', schema: 'main' });
  });

  it('build --select state:modified+ --defer on an empty ci target builds only the modified model and its children, reading parents from prod', async () => {
    p.write({ 'models/b.sql': '{{config materialized="view"}}\nselect n * 100 as n from {{ref "a"}}' });
    const withoutDefer = await p.run('build', '--target', 'ci', '--select', 'state:modified+', '--state', 'prod-artifacts');
    expect(withoutDefer.code).toBe(1);
    fs.rmSync(p.path('ci.duckdb'), { force: true });
    const r = await p.run('build', '--target', 'ci', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toEqual({ b: 'success', c: 'success', not_null_c_total: 'pass' });
    expect(r.output).toMatch(/--defer: 2 unselected nodes are not built in target ci/);
    const ci = await queryFile(p.path('ci.duckdb'), "select table_name as t from information_schema.tables where table_schema = 'main' order by 1");
    expect(ci.map((x) => x.t)).toEqual(['b', 'c']);
    expect(await queryFile(p.path('ci.duckdb'), 'select total from main.c')).toEqual([{ total: 600 }]);
    // Production is read, never written.
    expect(await queryFile(p.path('prod.duckdb'), 'select total from main.c')).toEqual([{ total: 60 }]);
  });

  it('a parent that is built in this target is read from this target, not deferred', async () => {
    p.write({ 'models/c.sql': '{{config materialized="table"}}\nselect sum(n) + 1 as total from {{ref "b"}}' });
    const r = await p.run('build', '--target', 'ci', '--select', 'state:modified', '--exclude', 'b', '--defer', '--state', 'prod-artifacts');
    expect(r.code, r.output).toBe(0);
    const m = JSON.parse(p.read('target/manifest.json')) as Manifest;
    expect(m.nodes['model.dp.c']!.compiled_code).toContain('from "main"."b"');
    expect(m.nodes['model.dp.b']!.compiled_code).toContain('from "__etlx_state"."main"."a"');
    expect(await queryFile(p.path('ci.duckdb'), 'select total from main.c')).toEqual([{ total: 601 }]);
  });

  it('etlx retry of a deferred run defers again', async () => {
    fs.rmSync(p.path('ci.duckdb'), { force: true });
    p.write({ 'models/b.sql': '{{config materialized="view"}}\nselect n * 100 as n, no_such_column from {{ref "a"}}' });
    const failed = await p.run('build', '--target', 'ci', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts');
    expect(failed.code).toBe(1);
    // The state folder is recorded absolute, so a retry from another folder finds it.
    expect(p.runResults().args).toMatchObject({ defer: true, state: p.path('prod-artifacts') });
    p.write({ 'models/b.sql': '{{config materialized="view"}}\nselect n * 100 as n from {{ref "a"}}' });
    const retried = await p.run('retry');
    expect(retried.code, retried.output).toBe(0);
    expect(p.statuses()).toMatchObject({ b: 'success', c: 'success' });
  });

  it('compile --defer renders the deferred relations without building anything', async () => {
    fs.rmSync(p.path('ci.duckdb'), { force: true });
    const r = await p.run('compile', '--target', 'ci', '--select', 'b', '--defer', '--state', 'prod-artifacts');
    expect(r.code, r.output).toBe(0);
    const m = JSON.parse(p.read('target/manifest.json')) as Manifest;
    expect(m.nodes['model.dp.b']!.compiled_code).toContain('from "__etlx_state"."main"."a"');
    expect(p.exists('ci.duckdb')).toBe(false);
  });

  it('--defer without --state is exit 2', async () => {
    const r = await p.run('run', '--target', 'ci', '--defer');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/--defer needs --state/);
  });
});
