import { afterAll, describe, expect, it } from 'vitest';
import { TestProject } from '../integration/helpers.js';

const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.cleanup()));

describe('an unwritable export path in the middle of a run', () => {
  it('fails that node cleanly: a clear message, its downstream skipped, the rest built, exit 1', async () => {
    const p = new TestProject('ux', {
      'blocked': 'a file where the export folder should be\n',
      'models/base.sql': 'select 1 as id',
      'models/export_base.sql': '{{config materialized="file" location="blocked/base.parquet"}}\nselect * from {{ref "base"}}',
      'models/after_export.sql': 'select * from {{ref "export_base"}}',
      'models/sibling.sql': 'select id + 1 as id from {{ref "base"}}',
    }, 'name: ux\nmodels:\n  materialized: table\n');
    projects.push(p);
    const r = await p.run('run');
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/ERROR file model export_base -> blocked\/base\.parquet/);
    expect(r.output).toMatch(/ENOTDIR|not a directory/);
    expect(r.output).toMatch(/SKIP table model main\.after_export/);
    expect(r.output).toMatch(/OK created table model main\.sibling/);
    expect(r.output).not.toMatch(/\n\s+at .*:\d+:\d+/);
    expect(p.statuses()).toMatchObject({ base: 'success', export_base: 'error', after_export: 'skipped', sibling: 'success' });
    expect(p.read('blocked')).toBe('a file where the export folder should be\n');
  });
});
