import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject, relationOf, trimSql } from '../../../src/compile/compile.js';
import type { ModelNode } from '../../../src/parse/nodes.js';
import { ROOT, codes, compileOk, context, diagnosticsOf, parse, sqlOf } from './memory-project.js';

const one = (files: Record<string, string>, name: string, ctx = {}) => {
  const { project, compiled } = compileOk(files, ctx);
  return sqlOf(project, compiled, name);
};

describe('helpers while compiling', () => {
  it('ref renders the quoted relation in the target schema, or the model\'s schema and alias', () => {
    const files = {
      'models/a.sql': 'select 1',
      'models/b.sql': '{{config schema="marts" alias="b_table"}}select 1',
      'models/c.sql': 'select * from {{ref "a"}} join {{ref "b"}} using (x)',
    };
    expect(one(files, 'c')).toBe('select * from "main"."a" join "marts"."b_table" using (x)');
    expect(one(files, 'c', { target: { name: 'prod', schema: 'analytics', profile: 'p', threads: 1 } })).toBe('select * from "analytics"."a" join "marts"."b_table" using (x)');
  });

  it('ref to a seed renders its table; seed schema and alias apply', () => {
    const files = { 'seeds/countries.csv': 'a\n', 'seeds/s.yml': 'seeds:\n  - name: countries\n    config: {schema: ref_data}\n', 'models/a.sql': 'select * from {{ref "countries"}}' };
    expect(one(files, 'a')).toBe('select * from "ref_data"."countries"');
  });

  it('source renders a reader over absolute paths with sorted options, or a warehouse table', () => {
    const files = {
      'models/s.yml':
        'sources:\n  - name: shop\n    tables:\n      - name: orders\n        location: staging/orders/*/*.parquet\n        options: {hive_partitioning: true, union_by_name: true}\n      - name: events\n        location: staging/e.ndjson\n      - name: payments\n        location: staging/p.csv\n        options: {header: true, delim: ";"}\n      - name: customers\n        schema: raw\n',
      'models/a.sql': 'select * from {{source "shop" "orders"}}, {{source "shop" "events"}}, {{source "shop" "payments"}}, {{source "shop" "customers"}}',
    };
    const abs = (p: string) => path.join(ROOT, p);
    expect(one(files, 'a')).toBe(
      `select * from read_parquet('${abs('staging/orders/*/*.parquet')}', hive_partitioning=true, union_by_name=true), read_json('${abs('staging/e.ndjson')}', format='newline_delimited'), read_csv('${abs('staging/p.csv')}', delim=';', header=true), "raw"."customers"`,
    );
  });

  it('var reads project vars, --vars overrides, defaults fill in, and lists iterate', () => {
    const files = {
      'etlx.yml': 'name: proj\nvars:\n  start: "2024-01-01"\n  methods: [card, paypal]\n',
      'models/a.sql': "select * from t where d >= '{{var \"start\"}}' and n < {{var \"days\" 7}} and m in ({{#each (var \"methods\")}}'{{this}}'{{#unless @last}}, {{/unless}}{{/each}})",
    };
    const project = parse(files);
    const vars = project.files.config.vars;
    const render = (v: Record<string, unknown>) => sqlOf(project, compileProject(project, context({ vars: v })), 'a');
    expect(render(vars)).toBe("select * from t where d >= '2024-01-01' and n < 7 and m in ('card', 'paypal')");
    expect(render({ ...vars, days: 30, methods: ['cash'] })).toBe("select * from t where d >= '2024-01-01' and n < 30 and m in ('cash')");
  });

  it('records the vars each model read, with the values used', () => {
    const { compiled } = compileOk({ 'models/a.sql': 'select {{var "x"}}, {{var "d" 3}}' }, { vars: { x: 'X' } });
    expect(compiled.nodes.get('model.proj.a')!.varsRead).toEqual({ x: 'X', d: 3 });
  });

  it('a var with no value and no default is E_VAR_MISSING at file:line:col with a did-you-mean', () => {
    const d = diagnosticsOf({ 'models/a.sql': 'select\n  {{var "strat_date"}}' }, { vars: { start_date: 'x' } });
    expect(d).toEqual([
      {
        code: 'E_VAR_MISSING',
        message: 'var "strat_date" has no value; did you mean "start_date"?',
        file: 'models/a.sql',
        line: 2,
        column: 3,
        hint: `set it under vars: in etlx.yml, pass --vars '{strat_date: ...}', or give a default: {{var "strat_date" "default"}}`,
      },
    ]);
  });

  it('env reads the environment, with a default; a missing one is E_ENV_MISSING', () => {
    expect(one({ 'models/a.sql': "select '{{env \"REGION\"}}', '{{env \"NOPE\" \"eu\"}}'" }, 'a', { env: { REGION: 'us' } })).toBe("select 'us', 'eu'");
    expect(diagnosticsOf({ 'models/a.sql': 'select {{env "NOPE"}}' })).toMatchObject([{ code: 'E_ENV_MISSING', file: 'models/a.sql', line: 1, column: 8 }]);
  });

  it('target and model context are visible everywhere, including inside #each', () => {
    const sql = one({ 'models/a.sql': '{{#each (var "ys")}}{{target.name}}.{{target.schema}}.{{this}} {{/each}}{{model.name}} {{project_name}}' }, 'a', {
      vars: { ys: ['a', 'b'] },
    });
    expect(sql).toBe('dev.main.a dev.main.b a proj');
  });

  it('{{self}} is the model\'s own relation; {{config}} renders nothing', () => {
    expect(one({ 'models/inc.sql': '{{config materialized="incremental" schema="x"}}select * from {{self}}' }, 'inc')).toBe('select * from "x"."inc"');
  });

  it('{{#if is_incremental}} follows the context\'s isIncremental for incremental models only', () => {
    const files = {
      'models/inc.sql': '{{config materialized="incremental"}}select * from src{{#if is_incremental}} where ts > (select max(ts) from {{self}}){{/if}}',
      'models/v.sql': 'select {{#if is_incremental}}1{{else}}0{{/if}}',
    };
    const yes = (m: ModelNode) => m.mat.kind === 'incremental' || m.name === 'v';
    expect(one(files, 'inc')).toBe('select * from src');
    expect(one(files, 'inc', { isIncremental: yes })).toBe('select * from src where ts > (select max(ts) from "main"."inc")');
    expect(one(files, 'v', { isIncremental: yes })).toBe('select 1');
  });

  it('quote, ident, eq/ne/and/or/not and lookup work in models', () => {
    const sql = one(
      {
        'models/a.sql': "select {{quote (var \"xs\")}}, {{quote \"it's\"}}, {{ident \"odd name\"}}, {{#if (and (eq target.name \"dev\") (not (ne 1 1)))}}y{{/if}}{{#if (or false 0)}}n{{/if}}, {{lookup (var \"m\") \"k\"}}",
      },
      'a',
      { vars: { xs: ['a', "b'c"], m: { k: 'v' } } },
    );
    expect(sql).toBe(`select 'a', 'b''c', 'it''s', "odd name", y, v`);
  });

  it('macros render with their arguments', () => {
    const sql = one({ 'macros/cents.sql': '{{!-- doc --}}cast({{column}} / 100 as decimal(18, 2))', 'models/a.sql': 'select {{> cents column="amount_cents"}} as amount' }, 'a');
    expect(sql).toBe('select cast(amount_cents / 100 as decimal(18, 2)) as amount');
  });

  it('an error inside a macro is reported in the model at the macro call', () => {
    expect(diagnosticsOf({ 'macros/m.sql': 'x\n{{var "nope"}}', 'models/a.sql': 'select\n  {{> m}}' })).toMatchObject([
      { code: 'E_VAR_MISSING', file: 'models/a.sql', line: 2, column: 3, message: 'in macro "m" (its line 2): var "nope" has no value' },
    ]);
  });

  it('trailing semicolons and white space are dropped from the SELECT', () => {
    expect(one({ 'models/a.sql': 'select 1;  \n\n' }, 'a')).toBe('select 1');
    expect(trimSql('select 1 ; ;\n')).toBe('select 1');
  });

  it('render problems of several models are all reported', () => {
    const d = diagnosticsOf({ 'models/a.sql': 'select {{var "x"}}', 'models/b.sql': 'select {{env "NOPE_ENV"}}' });
    expect(codes(d).sort()).toEqual(['E_ENV_MISSING', 'E_VAR_MISSING']);
  });
});

describe('ephemeral models', () => {
  const FILES = {
    'models/base.sql': '{{config materialized="ephemeral"}}\nselect 1 as id;\n',
    'models/mid.sql': '{{config materialized="ephemeral"}}\nselect id from {{ref "base"}}',
    'models/plain.sql': 'select * from {{ref "mid"}}',
    'models/with_cte.sql': 'with x as (\n  select * from {{ref "base"}}\n)\nselect * from x',
  };

  it('are inlined as CTEs, the model itself wrapped in a subquery', () => {
    expect(one(FILES, 'plain')).toBe(
      'with "__etlx_cte__base" as (\n\nselect 1 as id\n),\n"__etlx_cte__mid" as (\n\nselect id from "__etlx_cte__base"\n)\nselect * from (\nselect * from "__etlx_cte__mid"\n)',
    );
  });

  it('stay valid when the model begins with its own WITH', () => {
    expect(one(FILES, 'with_cte')).toBe('with "__etlx_cte__base" as (\n\nselect 1 as id\n)\nselect * from (\nwith x as (\n  select * from "__etlx_cte__base"\n)\nselect * from x\n)');
  });

  it('an ephemeral using another ephemeral carries it along; each CTE appears once', () => {
    const { project, compiled } = compileOk({ ...FILES, 'models/both.sql': 'select * from {{ref "mid"}} join {{ref "base"}} using (id)' });
    const sql = sqlOf(project, compiled, 'both');
    expect(sql.match(/"__etlx_cte__base" as/g)).toHaveLength(1);
    expect(sql.indexOf('"__etlx_cte__base" as')).toBeLessThan(sql.indexOf('"__etlx_cte__mid" as'));
    expect(compiled.nodes.get('model.proj.both')!.ephemerals).toEqual(['base', 'mid']);
    expect(compiled.nodes.get('model.proj.mid')!.ephemerals).toEqual(['base']);
  });

  it('the ephemeral model is in the DAG so its consumers come after its parents', () => {
    const p = parse(FILES);
    expect(p.dag.parents('model.proj.plain')).toEqual(['model.proj.mid']);
    expect(relationOf(p, context(), 'model.proj.base')).toBe('"__etlx_cte__base"');
  });

  it('compiling only some nodes renders their ephemeral ancestors too', () => {
    const p = parse(FILES);
    const c = compileProject(p, context(), new Set(['model.proj.plain']));
    expect([...c.nodes.keys()].sort()).toEqual(['model.proj.base', 'model.proj.mid', 'model.proj.plain']);
    expect(c.nodes.get('model.proj.plain')!.sql).toContain('"__etlx_cte__mid" as');
  });

  it('tests on an ephemeral model get the CTE too', () => {
    const { project, compiled } = compileOk({ ...FILES, 'models/p.yml': 'models:\n  - name: mid\n    columns:\n      - name: id\n        tests: [not_null]\n' });
    expect(sqlOf(project, compiled, 'not_null_mid_id', 'test')).toBe(
      'with "__etlx_cte__base" as (\n\nselect 1 as id\n),\n"__etlx_cte__mid" as (\n\nselect id from "__etlx_cte__base"\n)\nselect * from (\nselect *\nfrom "__etlx_cte__mid" as model\nwhere "id" is null\n)',
    );
  });
});

describe('file models', () => {
  it('ref renders the reader of a file model: a file, or a hive-partitioned glob', () => {
    const files = {
      'models/exp.sql': '{{config materialized="file"}}select 1',
      'models/exp_csv.sql': '{{config materialized="file" location="out/e.csv"}}select 1',
      'models/parted.sql': '{{config materialized="file" format="parquet" location="out/parted" partition_by="month"}}select 1 as month',
      'models/reader.sql': 'select * from {{ref "exp"}}, {{ref "exp_csv"}}, {{ref "parted"}}',
    };
    expect(one(files, 'reader')).toBe(
      `select * from read_parquet('${path.join(ROOT, 'exports/exp.parquet')}'), read_csv('${path.join(ROOT, 'out/e.csv')}'), read_parquet('${path.join(ROOT, 'out/parted')}/**/*.parquet', hive_partitioning=true)`,
    );
  });

  it('{{self}} of a file model is its reader', () => {
    expect(one({ 'models/f.sql': '{{config materialized="file" format="json"}}select * from {{self}}' }, 'f')).toBe(`select * from read_json('${path.join(ROOT, 'exports/f.json')}')`);
  });
});

describe('generic tests while compiling', () => {
  it('the display SQL is the failure count around the failing rows', () => {
    const { compiled } = compileOk({ 'models/a.sql': 'select 1 as id', 'models/p.yml': 'models:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique]\n' });
    const c = compiled.nodes.get('test.proj.unique_a_id')!;
    expect(c.display).toBe(`select count(*) as failures from (\n${c.sql}\n) as etlx_failures`);
  });

  it('singular tests render their template with refs resolved', () => {
    const { project, compiled } = compileOk({ 'models/a.sql': 'select 1 as id', 'tests/t.sql': 'select * from {{ref "a"}} where id < 0;\n' });
    expect(sqlOf(project, compiled, 't', 'test')).toBe('select * from "main"."a" where id < 0');
  });

  it('compiling twice gives the same SQL (pure)', () => {
    const files = { 'models/a.sql': 'select {{var "x" 1}}', 'models/b.sql': 'select * from {{ref "a"}}', 'models/p.yml': 'models:\n  - name: b\n    tests: [{row_count: {min: 1}}]\n' };
    const first = compileOk(files).compiled;
    const second = compileOk(files).compiled;
    expect([...second.nodes.entries()].map(([k, v]) => [k, v.sql])).toEqual([...first.nodes.entries()].map(([k, v]) => [k, v.sql]));
  });
});
