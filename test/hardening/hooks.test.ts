import { afterAll, describe, expect, it } from 'vitest';
import { TestProject } from '../integration/helpers.js';

const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.cleanup()));

describe('hooks are templates', () => {
  it('{{self}}, {{ref}}, {{var}} and {{target}} render in pre/post hooks and on-run hooks', async () => {
    const etlxYml = [
      'name: hooks',
      'vars: {label: nightly}',
      'on-run-start: "create table if not exists audit (what varchar, target varchar)"',
      'on-run-end: "insert into audit values (\'end {{var \\"label\\"}}\', \'{{target.name}}\')"',
      'models:',
      '  materialized: table',
      '',
    ].join('\n');
    const p = new TestProject('hooks', {
      'seeds/codes.csv': 'code\na\nb\n',
      'models/base.sql': '{{config post_hook="insert into audit select \'built \' || count(*), \'{{target.schema}}\' from {{self}}"}}\nselect * from {{ref "codes"}}\n',
      'models/props.yml': 'models:\n  - name: base\n    config:\n      pre_hook: "insert into audit select \'before \' || count(*), null from {{ref \\"codes\\"}}"\n',
    }, etlxYml);
    projects.push(p);
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(await p.query('select what, target from audit order by rowid')).toEqual([
      { what: 'before 2', target: null },
      { what: 'built 2', target: 'main' },
      { what: 'end nightly', target: 'default' },
    ]);
    expect(p.read('target/run/models/base.sql')).toContain(`insert into audit select 'built ' || count(*), 'main' from "main"."base"`);
  });
});
