import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { valueHelpers } from '../../../src/compile/compile.js';
import { type TemplateIR } from '../../../src/template/ir.js';
import { parseTemplate } from '../../../src/template/parse.js';
import { topLevelThis } from '../../../src/template/jinja.js';
import { Printable } from '../../../src/template/printable.js';
import { MAX_MACRO_DEPTH, render, RenderError } from '../../../src/template/render.js';

function parse(text: string): TemplateIR {
  const ir = parseTemplate(text);
  if (ir.problems.length > 0) throw new Error(`template problems: ${JSON.stringify(ir.problems)}`);
  return ir;
}

function out(text: string, ctx: Record<string, unknown> = {}, partials: Record<string, string> = {}): string {
  return render(parse(text), ctx, { helpers: { ...valueHelpers }, partials: new Map(Object.entries(partials).map(([k, v]) => [k, parse(v)])) }).text;
}

function handlebars(text: string, ctx: Record<string, unknown> = {}, partials: Record<string, string> = {}): string {
  const hbs = Handlebars.create();
  for (const [k, v] of Object.entries(partials)) hbs.registerPartial(k, v);
  return hbs.compile(text, { noEscape: true, compat: true })(ctx);
}

/** Each case was a difference between our renderer and Handlebars; the expected text is Handlebars'. */
const cases: [string, string, Record<string, unknown>, string, Record<string, string>?][] = [
  ['#with renders for 0, not for an empty string', '{{#with z}}W{{.}}{{else}}E{{/with}}|{{#with e}}W{{else}}E{{/with}}', { z: 0, e: '' }, 'W0|E'],
  ['{{#value}} renders for 0 and an empty string', '{{#z}}W{{.}}{{else}}E{{/z}}|{{#e}}W{{else}}E{{/e}}', { z: 0, e: '' }, 'W0|W'],
  ['{{#true}} keeps the context', '{{#t}}{{name}}{{/t}}', { t: true, name: 'n' }, 'n'],
  ['{{^value}} is the inverse of {{#value}}', '{{^z}}none{{else}}some{{/z}}', { z: 0 }, 'some'],
  ['includeZero=true counts 0 as true', '{{#if z includeZero=true}}T{{else}}F{{/if}}{{#unless z includeZero=true}}T{{else}}F{{/unless}}', { z: 0 }, 'TF'],
  ['@../index reads the enclosing loop', '{{#each xs}}{{#each ../ys}}{{@../index}}-{{@index}} {{/each}}{{/each}}', { xs: [1, 2], ys: [1, 2] }, '0-0 0-1 1-0 1-1 '],
  ['@../ beyond the root is nothing', '{{#each xs}}[{{@../../index}}]{{/each}}', { xs: [1] }, '[]'],
  ['a null inner value falls through to the enclosing context', '{{#with a}}{{b}}{{/with}}', { a: { b: null }, b: 'B' }, 'B'],
  ['a null inner value falls through, for a dotted path too', '{{#with a}}{{b.c}}{{/with}}', { a: { b: null }, b: { c: 5 } }, '5'],
  ['.length of a string and of a list', '{{s.length}} {{xs.length}} {{e.length}} {{s.[0]}}', { s: 'abc', xs: [1, 2], e: '' }, '3 2 0 a'],
  ['an indented standalone partial indents every line it renders', 'x\n  {{> p}}\ny', { v: 'a\nb' }, 'x\n  A\n    a\n  b\ny', { p: 'A\n  {{v}}\n' }],
  ['nested indented partials add their indents', 'x\n  {{> outer}}\n', {}, 'x\n  o\n    i\n', { outer: 'o\n  {{> inner}}\n', inner: 'i\n' }],
  ['../ past the root is nothing, even inside #if', '{{#if a}}[{{../b}}]{{/if}}', { a: 1, b: 2 }, '[]'],
  ['a block over the same context adds no depth to ../', '{{#with x}}{{#with ../x}}{{../a}}{{/with}}{{/with}}', { x: { a: 'X' }, a: 'A' }, 'A'],
  ['a macro does not see the caller\'s block params', '{{#each xs as |x|}}{{> p}}{{/each}}', { xs: [{ x: 'own' }] }, 'own', { p: '{{x}}' }],
  ['a block param wins over the context', '{{#each xs as |x|}}{{#with y}}{{x}}{{/with}}{{/each}}', { xs: [1], y: { x: 'Y' } }, '1'],
  ['a name inside {{#with 0}} is the 0 itself (Handlebars\' depthed lookup)', '{{#with z}}[{{n}}]{{/with}}', { z: 0, n: 'N' }, '[0]'],
  ['a literal in a helper position reads that key', '{{"a b"}}|{{1}}', { 'a b': 'spaced', 1: 'one' }, 'spaced|one'],
  ['data paths stop at a falsy value', '{{#each xs}}{{@first.x}};{{/each}}', { xs: [1, 2] }, ';false;'],
  ['lookup: a falsy object comes back, string properties are read', '{{lookup z "x"}}|{{lookup s "length"}}|{{lookup xs 1}}', { z: 0, s: 'ab', xs: [1, 2] }, '0|2|2'],
  ['a partial hash over a string context keeps its characters', '{{> p s a=1}}', { s: 'hi' }, '0=h;1=i;a=1;', { p: '{{#each this}}{{@key}}={{this}};{{/each}}' }],
];

describe('render matches Handlebars where it used to differ', () => {
  it.each(cases)('%s', (_name, template, ctx, expected, partials = {}) => {
    expect(handlebars(template, ctx, partials)).toBe(expected);
    expect(out(template, ctx, partials)).toBe(expected);
  });
});

describe('a macro that includes itself', () => {
  it('stops at the depth bound with E_MACRO_RECURSION at the call site in the model', () => {
    try {
      out('select\n  {{> loop}}', { go: true }, { loop: '{{#if go}}{{> loop}}{{/if}}' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RenderError);
      expect(e).toMatchObject({ code: 'E_MACRO_RECURSION', line: 2, col: 3, partial: 'loop' });
      expect((e as RenderError).message).toContain(`macro "loop" includes itself more than ${MAX_MACRO_DEPTH} levels deep (loop -> loop`);
    }
  });

  it('recursion that ends is rendered', () => {
    const tree = { n: 'a', kids: [{ n: 'b', kids: [{ n: 'c', kids: [] }] }] };
    const partials = { node: '{{n}}({{#each kids}}{{> node}}{{/each}})' };
    expect(out('{{> node}}', tree, partials)).toBe(handlebars('{{> node}}', tree, partials));
    expect(out('{{> node}}', tree, partials)).toBe('a(b(c()))');
  });
});

describe('a Printable (how {{self}} prints and gives its parts)', () => {
  it('renders like Handlebars: the whole value prints as its text, its parts as fields, the text is no field', () => {
    const self = new Printable('"s"."m"', { schema: 's', name: 'm' });
    const t = '{{self}}|{{self.schema}}|{{self.name}}|{{self.text}}|{{#with self}}{{schema}}{{/with}}|{{#if self}}y{{/if}}';
    expect(out(t, { self })).toBe('"s"."m"|s|m||s|y');
    expect(handlebars(t, { self })).toBe(out(t, { self }));
  });

  it('any other mapping still refuses to print', () => {
    expect(() => out('{{m}}', { m: { a: 1 } })).toThrow(RenderError);
  });
});

describe('Jinja and {{this}} are parse-time problems', () => {
  it("{{ ref('a') }} is E_TEMPLATE_JINJA with the Handlebars form, at its line", () => {
    const ir = parseTemplate("select 1\nfrom {{ ref('a') }} join {{ source('s', 't') }}");
    expect(ir.problems.map((p) => [p.code, p.line, p.hint.slice(p.hint.indexOf('write'))])).toEqual([
      ['E_TEMPLATE_JINJA', 2, 'write {{ref "a"}}'],
      ['E_TEMPLATE_JINJA', 2, 'write {{source "s" "t"}}'],
    ]);
  });

  it('{% %} statements and {# #} comments are problems; Handlebars sub-expressions are not', () => {
    expect(parseTemplate('{% set x = 1 %}\n{# c #}').problems.map((p) => [p.code, p.line])).toEqual([
      ['E_TEMPLATE_JINJA', 1],
      ['E_TEMPLATE_JINJA', 2],
    ]);
    expect(parseTemplate('{{quote (var "m")}} {{#each (var "xs")}}{{this}}{{/each}}').problems).toEqual([]);
    expect(parseTemplate('{{ref (var "m")}}').problems.map((p) => p.code)).toEqual(['E_REF_NOT_LITERAL']);
  });

  it('topLevelThis finds {{this}} outside #each/#with, also under #if', () => {
    const ir = parseTemplate('{{this}}\n{{#if a}}{{this.x}}{{/if}}\n{{#each xs}}{{this}}{{/each}}{{#with y}}{{this}}{{/with}}');
    expect(topLevelThis(ir)).toEqual([
      { line: 1, col: 1 },
      { line: 2, col: 10 },
    ]);
  });
});
