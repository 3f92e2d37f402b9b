import { afterAll, describe, expect, it } from 'vitest';
import { queryFile, TestProject } from '../integration/helpers.js';

const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.cleanup()));

const profile = (extra: string) => `att:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: att.duckdb\n${extra}`;

describe('profile attach and extensions', () => {
  it('attaches other DuckDB files (read only here) and loads bundled extensions before models run', async () => {
    const p = new TestProject('att', { 'models/from_crm.sql': "select name, upper(name) as shout from crm.main.customers order by 1" }, 'name: att\nmodels:\n  materialized: table\n');
    projects.push(p);
    await queryFile(p.path('crm.duckdb'), "create table customers as select * from (values ('ada'), ('grace')) t(name)");
    p.write({ 'profiles.yml': profile('      extensions: [icu, json]\n      attach:\n        - {path: crm.duckdb, alias: crm, read_only: true}\n') });
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    expect(await p.query('select * from from_crm')).toEqual([
      { name: 'ada', shout: 'ADA' },
      { name: 'grace', shout: 'GRACE' },
    ]);
  });

  it('refuses an extension that is not bundled, before opening the warehouse (exit 2)', async () => {
    const p = new TestProject('att', { 'models/a.sql': 'select 1 as x' });
    projects.push(p);
    p.write({ 'profiles.yml': profile('      extensions: [httpfs]\n') });
    const r = await p.run('run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('extension "httpfs", which is not bundled');
    expect(r.stderr).toContain('hint: only parquet, json, icu are available');
    expect(p.exists('att.duckdb')).toBe(false);
  });

  it('reports a failing attach as a profile error (exit 2)', async () => {
    const p = new TestProject('att', { 'models/a.sql': 'select 1 as x' });
    projects.push(p);
    p.write({ 'profiles.yml': profile('      attach:\n        - {path: missing.duckdb, alias: gone, read_only: true}\n') });
    const r = await p.run('run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the profile's setup failed: attach if not exists");
    expect(r.stderr).toMatch(/hint: check attach: paths/);
  });
});
