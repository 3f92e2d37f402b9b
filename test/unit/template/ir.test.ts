import { describe, expect, it } from 'vitest';
import { type TemplateIR } from '../../../src/template/ir.js';
import { parseTemplate } from '../../../src/template/parse.js';

function problemsOf(text: string) {
  return parseTemplate(text).problems.map((p) => ({ code: p.code, line: p.line, col: p.col, message: p.message }));
}

function ok(text: string): TemplateIR {
  const ir = parseTemplate(text);
  expect(ir.problems).toEqual([]);
  return ir;
}

describe('parseTemplate: static facts', () => {
  it('plain SQL is one text statement and has no facts', () => {
    const ir = ok('select 1 as a\nfrom t\n');
    expect(ir.body).toEqual([{ k: 'text', v: 'select 1 as a\nfrom t\n', line: 1, col: 1 }]);
    expect(ir.refs).toEqual([]);
    expect(ir.sources).toEqual([]);
    expect(ir.config).toEqual([]);
    expect(ir.vars).toEqual([]);
    expect(ir.partials).toEqual([]);
  });

  it('reads refs with their line and column', () => {
    const ir = ok('select *\nfrom {{ref "orders"}} o\n  join {{ ref \'customers\' }} c using (id)');
    expect(ir.refs).toEqual([
      { name: 'orders', line: 2, col: 6 },
      { name: 'customers', line: 3, col: 8 },
    ]);
  });

  it('reads the model of a two-argument ref (dbt package form) as the second argument', () => {
    expect(ok('{{ref "pkg" "orders"}}').refs.map((r) => r.name)).toEqual(['orders']);
  });

  it('reads refs inside blocks and sub-expressions', () => {
    const ir = ok('{{#if is_incremental}}select * from {{ref "a"}}{{else}}{{#each (var "xs")}}{{ref "b"}}{{/each}}{{/if}}');
    expect(ir.refs.map((r) => r.name)).toEqual(['a', 'b']);
    expect(ir.vars).toEqual([{ name: 'xs', hasDefault: false, line: 1, col: 64 }]);
  });

  it('reads sources', () => {
    const ir = ok('select * from {{source "shop" "orders"}}');
    expect(ir.sources).toEqual([{ source: 'shop', table: 'orders', line: 1, col: 15 }]);
  });

  it('reads vars and whether they have a default', () => {
    const ir = ok('{{var "start"}} {{var "days" 7}} {{var "flag" false}}');
    expect(ir.vars.map((v) => [v.name, v.hasDefault])).toEqual([
      ['start', false],
      ['days', true],
      ['flag', true],
    ]);
  });

  it('reads config pairs with literal types, comma lists kept as strings', () => {
    const ir = ok('{{config materialized="incremental" unique_key="id,day" tags="nightly, finance" enabled=true full_refresh=false}}\nselect 1');
    expect(ir.config.map((c) => [c.key, c.value])).toEqual([
      ['materialized', 'incremental'],
      ['unique_key', 'id,day'],
      ['tags', 'nightly, finance'],
      ['enabled', true],
      ['full_refresh', false],
    ]);
    expect(ir.config.every((c) => c.line === 1 && c.col === 1)).toBe(true);
  });

  it('reads numeric and null config values', () => {
    const ir = ok('{{config limit=10 schema=null}}');
    expect(ir.config.map((c) => [c.key, c.value])).toEqual([
      ['limit', 10],
      ['schema', null],
    ]);
  });

  it('config renders nothing: the text around it is kept', () => {
    const ir = ok('{{config materialized="table"}}select 1');
    expect(ir.body[0]).toMatchObject({ k: 'out', e: { k: 'call', name: 'config' } });
    expect(ir.body[1]).toEqual({ k: 'text', v: 'select 1', line: 1, col: 32 });
  });

  it('reads partials (macros), including folder names', () => {
    const ir = ok('select {{> cents_to_dollars column="amount"}},\n {{> finance/cents}}');
    expect(ir.partials).toEqual([
      { name: 'cents_to_dollars', line: 1, col: 8 },
      { name: 'finance/cents', line: 2, col: 2 },
    ]);
  });

  it('self, target.name and @index are paths, not helper calls', () => {
    const ir = ok('{{self}} {{target.name}} {{@index}}');
    expect(ir.body[0]).toMatchObject({ k: 'out', e: { k: 'path', parts: ['self'], data: false } });
    expect(ir.body[2]).toMatchObject({ k: 'out', e: { k: 'path', parts: ['target', 'name'] } });
    expect(ir.body[4]).toMatchObject({ k: 'out', e: { k: 'path', parts: ['index'], data: true } });
  });

  it('comments leave no statement behind', () => {
    const ir = ok('a{{!-- a {{ref "hidden"}} comment --}}b{{! short }}c');
    expect(ir.body.map((s) => (s.k === 'text' ? s.v : s.k))).toEqual(['a', 'b', 'c']);
    expect(ir.refs).toEqual([]);
  });

  it('keeps block params, body and inverse', () => {
    const ir = ok('{{#each (var "xs") as |x i|}}{{x}}{{else}}none{{/each}}');
    const block = ir.body[0]!;
    expect(block).toMatchObject({ k: 'block', name: 'each', params: ['x', 'i'] });
    if (block.k !== 'block') throw new Error('not a block');
    expect(block.inverse).toEqual([{ k: 'text', v: 'none', line: 1, col: 43 }]);
  });

  it('is plain JSON (cacheable): a JSON round trip gives the same IR', () => {
    const ir = ok('{{config tags="a"}}select {{var "x" 1}} from {{ref "m"}} {{#if y}}{{> mac a="b"}}{{/if}}');
    expect(JSON.parse(JSON.stringify(ir))).toEqual(ir);
  });

  it('whitespace control moves the text location to the kept text', () => {
    const ir = ok('{{#if x}}\n   select 1{{/if}}');
    const block = ir.body[0]!;
    if (block.k !== 'block') throw new Error('not a block');
    // Handlebars strips the standalone newline after {{#if}}: the text starts on line 2.
    expect(block.body[0]).toEqual({ k: 'text', v: '   select 1', line: 2, col: 1 });
    const trimmed = ok('a {{~x~}}   \n  b');
    expect(trimmed.body[2]).toEqual({ k: 'text', v: 'b', line: 2, col: 3 });
  });
});

describe('parseTemplate: static problems', () => {
  it('a ref whose argument is not a literal is E_REF_NOT_LITERAL at its position', () => {
    expect(problemsOf('select *\nfrom {{ref model_name}}')).toEqual([
      { code: 'E_REF_NOT_LITERAL', line: 2, col: 6, message: 'ref needs a literal model name' },
    ]);
    expect(problemsOf('  {{ref (var "m")}}')[0]).toMatchObject({ code: 'E_REF_NOT_LITERAL', line: 1, col: 3 });
    expect(problemsOf('{{ref 42}}')[0]!.code).toBe('E_REF_NOT_LITERAL');
  });

  it('a ref with no or too many arguments is E_REF_ARGS', () => {
    expect(problemsOf('{{ref}}')).toMatchObject([{ code: 'E_REF_ARGS', line: 1, col: 1 }]);
    expect(problemsOf('{{ref "a" "b" "c"}}')).toMatchObject([{ code: 'E_REF_ARGS', message: 'ref takes one model name, got 3 arguments' }]);
  });

  it('source needs two literal names', () => {
    expect(problemsOf('{{source "shop"}}')).toMatchObject([{ code: 'E_SOURCE_ARGS' }]);
    expect(problemsOf('\n {{source "shop" table}}')).toMatchObject([{ code: 'E_SOURCE_NOT_LITERAL', line: 2, col: 2 }]);
  });

  it('var needs a name and at most a default', () => {
    expect(problemsOf('{{var "a" 1 2}}')).toMatchObject([{ code: 'E_VAR_ARGS' }]);
  });

  it('config takes literal key=value pairs only', () => {
    expect(problemsOf('{{config "table"}}')).toMatchObject([{ code: 'E_CONFIG_ARGS' }]);
    expect(problemsOf('{{config materialized=kind}}')).toMatchObject([{ code: 'E_CONFIG_NOT_LITERAL', message: 'config value for "materialized" must be a literal' }]);
  });

  it('an unknown helper called with arguments is E_TEMPLATE_HELPER with a did-you-mean', () => {
    expect(problemsOf('select 1\n  , {{refs "orders"}}')).toEqual([
      { code: 'E_TEMPLATE_HELPER', line: 2, col: 5, message: 'unknown helper "refs"; did you mean "ref"?' },
    ]);
    const far = parseTemplate('{{concat "a" "b"}}').problems[0]!;
    expect(far.message).toBe('unknown helper "concat"');
    expect(far.hint).toContain('available helpers: and, config, env');
  });

  it('an unknown helper with only hash arguments is also reported', () => {
    expect(problemsOf('{{confg materialized="table"}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: 'unknown helper "confg"; did you mean "config"?' }]);
  });

  it('an unknown block helper with arguments is reported; #if takes exactly one argument', () => {
    expect(problemsOf('{{#repeat 3}}x{{/repeat}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: 'unknown block helper {{#repeat}}' }]);
    expect(problemsOf('{{#if a b}}x{{/if}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: '{{#if}} takes exactly one argument' }]);
  });

  it('decorators and partial blocks are not supported', () => {
    expect(problemsOf('{{* deco}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: 'decorators are not supported' }]);
    expect(problemsOf('{{#* inline "x"}}a{{/inline}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: 'decorators are not supported' }]);
    expect(problemsOf('{{#> layout}}a{{/layout}}')).toMatchObject([{ code: 'E_TEMPLATE_PARTIAL' }]);
  });

  it('a dynamic partial name is not supported', () => {
    expect(problemsOf('{{> (lookup . "name")}}')).toMatchObject([{ code: 'E_TEMPLATE_PARTIAL', message: 'dynamic partial names are not supported' }]);
  });

  it('an unclosed {{#if}} is E_TEMPLATE_SYNTAX at the line of the {{#if}}', () => {
    expect(problemsOf('select 1\nfrom t\n{{#if is_incremental}}\nwhere x > 1\n\n')).toEqual([
      { code: 'E_TEMPLATE_SYNTAX', line: 3, col: 1, message: 'template block {{#if}} is never closed' },
    ]);
    expect(parseTemplate('{{#if a}}').problems[0]!.hint).toBe('add {{/if}} where the block ends');
  });

  it('the innermost unclosed block is reported; closed ones and comments are skipped', () => {
    expect(problemsOf('{{!-- {{#unless}} --}}\n{{#each x}}{{/each}}\n  {{#if a}}\n{{#with b}}\n{{/with}}')).toMatchObject([
      { code: 'E_TEMPLATE_SYNTAX', line: 3, col: 3, message: 'template block {{#if}} is never closed' },
    ]);
    expect(problemsOf('{{#if x}}a{{else}}b')).toMatchObject([{ line: 1, col: 1, message: 'template block {{#if}} is never closed' }]);
  });

  it('a block closed with the wrong name names both', () => {
    expect(problemsOf('a\n{{#if x}}\nb\n{{/each}}')).toMatchObject([
      { code: 'E_TEMPLATE_SYNTAX', line: 2, message: 'template block {{#if}} is closed by {{/each}}' },
    ]);
  });

  it('an unclosed {{ is reported where it opens', () => {
    expect(problemsOf('select {{ref "a"\nfrom x')).toEqual([{ code: 'E_TEMPLATE_SYNTAX', line: 1, col: 8, message: 'template tag {{ is never closed' }]);
    expect(problemsOf('a {{x}}\nb {{y')).toMatchObject([{ line: 2, col: 3 }]);
  });

  it('a syntax error stops the parse: no facts are returned', () => {
    const ir = parseTemplate('{{ref "a"}} {{#if}}');
    expect(ir.problems).toHaveLength(1);
    expect(ir.refs).toEqual([]);
    expect(ir.body).toEqual([]);
  });

  it('collects every static problem of a template, not just the first', () => {
    const p = problemsOf('{{ref x}}\n{{source a "b"}}\n{{refs "c"}}');
    expect(p.map((x) => [x.code, x.line])).toEqual([
      ['E_REF_NOT_LITERAL', 1],
      ['E_SOURCE_NOT_LITERAL', 2],
      ['E_TEMPLATE_HELPER', 3],
    ]);
  });
});
