import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

describe('{{self}} and its parts; {{this}} and Jinja caught at compile time', () => {
  let p: TestProject | undefined;
  afterEach(() => p?.cleanup());

  it('{{self.schema}}, {{self.name}} (the alias), {{self.identifier}}, {{self.database}} render unquoted parts; {{self}} the relation', async () => {
    p = new TestProject('selfproj', {
      'models/m.sql': `{{config materialized="table" schema="s1" alias="al"}}\nselect '{{self.schema}}' as s, '{{self.name}}' as n, '{{self.identifier}}' as i, '{{self.database}}' as d, {{quote self}} as q, {{#each (var "xs")}}{{this}}{{#unless @last}} + {{/unless}}{{/each}} as total`,
      'models/plain.sql': `{{config materialized="table"}}\nselect '{{self.schema}}.{{self.name}}' as x`,
      'etlx.yml': 'name: selfproj\nvars:\n  xs: [1, 2]\n',
    });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(await p.query('select * from s1.al')).toEqual([{ s: 's1', n: 'al', i: 'al', d: 'selfproj', q: '"s1"."al"', total: 3 }]);
    expect(await p.query('select * from main.plain')).toEqual([{ x: 'main.plain' }]);
  });

  it('a bare {{this}} in a model is exit 2 at compile time, with file:line and a hint to {{self}}', async () => {
    p = new TestProject('thisproj', {
      'models/a.sql': 'select 1 as id',
      'models/inc.sql': `{{config materialized="incremental"}}\nselect * from {{ref "a"}}\n{{#if is_incremental}}where id > (select max(id) from {{this}}){{/if}}`,
    });
    const r = await p.run('compile');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/models\/inc\.sql:3/);
    expect(r.output).toContain('{{self}}');
    expect(p.exists('thisproj.duckdb')).toBe(false);
  });

  it('{{this}} in a hook is exit 2 with a hint to {{self}}; {{self}} in a hook is the relation', async () => {
    p = new TestProject('hookthis', {
      'models/a.sql': '{{config materialized="table" post_hook="create table main.seen as select count(*) as n from {{self}}"}}\nselect 1 as id',
      'models/b.sql': '{{config materialized="table" post_hook="analyze {{this}}"}}\nselect 1 as id',
    });
    const bad = await p.run('compile');
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/models\/b\.sql/);
    expect(bad.output).toContain('{{self}}');
    p.remove('models/b.sql');
    const ok = await p.run('run');
    expect(ok.code, ok.output).toBe(0);
    expect(await p.query('select n from main.seen')).toEqual([{ n: 1 }]);
  });

  it("Jinja's {{ ref('a') }}, {% if %} and {{ config(...) }} are exit 2 with the Handlebars form in the hint", async () => {
    p = new TestProject('jinjaproj', {
      'models/a.sql': 'select 1 as id',
      'models/b.sql': `select *\nfrom {{ ref('a') }}`,
      'models/c.sql': `{{ config(materialized='table') }}\nselect 1 as x`,
      'models/d.sql': `select * from a\n{% if is_incremental() %}\nwhere 1 = 1\n{% endif %}`,
    });
    const r = await p.run('compile');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/models\/b\.sql:2/);
    expect(r.output).toContain('{{ref "a"}}');
    expect(r.output).toMatch(/models\/c\.sql:1/);
    expect(r.output).toContain('{{config materialized="table"}}');
    expect(r.output).toMatch(/models\/d\.sql:2/);
    expect(r.output).toContain('{{#if is_incremental}}');
    expect(r.output).not.toMatch(/INVALID/);
  });
});
