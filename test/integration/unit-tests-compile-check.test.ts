/**
 * Unit tests go through the compile-time SQL check like models: the model rendered with a
 * test's vars, is_incremental and fixture inputs, and every `format: sql` given and expect, are
 * parsed by DuckDB before anything runs. A syntax error or a render error there is exit 2 with
 * file and line, for every test at once, and the warehouse is never opened.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const MODEL = [
  '{{config materialized="table"}}',
  'select id,',
  '{{#if (var "fancy" false)}}',
  '  id * from as doubled',
  '{{else}}',
  '  id * 2 as doubled',
  '{{/if}}',
  'from {{ref "src"}}',
  '',
].join('\n');

const unitYml = (given: string, expect = '      rows: [{id: 1, doubled: 2}]') =>
  ['unit_tests:', '  - name: doubles', '    model: m', '    given:', "      - input: ref('src')", given, '    expect:', expect, ''].join('\n');

describe('unit tests in the compile-time SQL check', () => {
  const made: TestProject[] = [];
  const project = (name: string, files: Record<string, string>) => {
    const p = new TestProject(name, { 'seeds/src.csv': 'id\n1\n', 'models/m.sql': MODEL, ...files });
    made.push(p);
    return p;
  };
  afterAll(() => made.forEach((p) => p.cleanup()));

  it('a valid project with sql givens compiles and its unit test passes', async () => {
    const p = project('utc0', { 'models/unit.yml': unitYml('        format: sql\n        rows: |\n          select 1 as id') });
    const c = await p.run('compile');
    expect(c.code, c.output).toBe(0);
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(p.result('doubles', 'unit_test')!.status).toBe('pass');
  });

  it("a syntax error in a given's sql (block scalar) is exit 2 at its line in the yml, before anything runs", async () => {
    const p = project('utc1', { 'models/unit.yml': unitYml('        format: sql\n        rows: |\n          select 1 as id\n          union all selec 2') });
    const c = await p.run('compile');
    expect(c.code, c.output).toBe(2);
    expect(c.output).toContain('SQL syntax error in unit test doubles, given ref(\'src\') (format: sql)');
    // Line 9 of models/unit.yml is `union all selec 2`.
    expect(p.read('models/unit.yml').split('\n')[8]).toContain('union all selec 2');
    expect(c.output).toContain('models/unit.yml:9');
    const b = await p.run('build');
    expect(b.code, b.output).toBe(2);
    expect(p.exists('utc1.duckdb')).toBe(false);
  });

  it("a syntax error in an inline sql given and in expect's sql are both reported, each at its line", async () => {
    const p = project('utc2', {
      'models/unit.yml': unitYml('        format: sql\n        rows: "select 1 as id from where"', '      format: sql\n      rows: |\n        select 1 as id, 2 as doubled,,'),
    });
    const c = await p.run('compile');
    expect(c.code, c.output).toBe(2);
    expect(c.output).toContain('models/unit.yml:7');
    expect(c.output).toMatch(/unit test doubles, expect \(format: sql\)/);
    expect(c.output).toContain('models/unit.yml:11');
  });

  it("the model as the test's vars render it: a syntax error only in that branch is exit 2 at the model's line", async () => {
    const p = project('utc3', { 'models/unit.yml': `${unitYml('        rows: [{id: 1}]')}    overrides:\n      vars: {fancy: true}\n` });
    const c = await p.run('compile');
    expect(c.code, c.output).toBe(2);
    expect(c.output).toContain('SQL syntax error in model m as unit test doubles renders it');
    expect(c.output).toContain('models/m.sql:4');
    expect(c.output).toContain('the unit test is at models/unit.yml:2');
    expect(p.exists('utc3.duckdb')).toBe(false);
  });

  it("a model's own syntax error is reported once, not again for its unit test", async () => {
    const p = project('utc4', { 'models/m.sql': 'select id,, from {{ref "src"}}\n', 'models/unit.yml': unitYml('        rows: [{id: 1}]') });
    const c = await p.run('compile');
    expect(c.code, c.output).toBe(2);
    expect(c.output.match(/SQL syntax error/g)).toHaveLength(1);
    expect(c.output).toContain('SQL syntax error in model m:');
  });

  it("a render error only under the test's vars is a compile-time error at the model's line", async () => {
    const p = project('utc5', {
      'models/m.sql': 'select id{{#if (var "strict" false)}}, {{var "cutoff"}} as c{{/if}} from {{ref "src"}}\n',
      'models/unit.yml': `${unitYml('        rows: [{id: 1}]', '      rows: [{id: 1}]')}    overrides:\n      vars: {strict: true}\n`,
    });
    const c = await p.run('build');
    expect(c.code, c.output).toBe(2);
    expect(c.output).toContain('unit test doubles: var "cutoff" has no value');
    expect(c.output).toContain('models/m.sql:1');
    expect(c.output).toContain('unit test doubles, models/unit.yml:2');
    expect(p.exists('utc5.duckdb')).toBe(false);
  });
});
