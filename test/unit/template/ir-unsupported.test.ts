import { describe, expect, it } from 'vitest';
import { IR_VERSION } from '../../../src/template/ir.js';
import { parseTemplate } from '../../../src/template/parse.js';

/** What the renderer cannot render exactly as Handlebars does is refused here, with a place. */
function problemsOf(text: string) {
  return parseTemplate(text).problems.map((p) => ({ code: p.code, line: p.line, col: p.col, message: p.message }));
}

describe('parseTemplate: constructs whose Handlebars meaning we do not reproduce', () => {
  it('a block helper hash argument (Handlebars ignores it) is E_TEMPLATE_HELPER at the block', () => {
    expect(problemsOf('select\n  {{#each xs foo=1}}{{this}}{{/each}}')).toEqual([
      { code: 'E_TEMPLATE_HELPER', line: 2, col: 3, message: '{{#each}} does not take the argument foo=' },
    ]);
    expect(problemsOf('{{#with t a=1}}x{{/with}}')).toMatchObject([{ message: '{{#with}} does not take the argument a=' }]);
    expect(problemsOf('{{#if a foo=1}}x{{/if}}')).toMatchObject([{ message: '{{#if}} does not take the argument foo=' }]);
    expect(parseTemplate('{{#if a foo=1}}x{{/if}}').problems[0]!.hint).toContain('includeZero=true');
    expect(problemsOf('{{#each xs includeZero=true}}x{{/each}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER' }]);
    expect(problemsOf('{{#a b=1}}x{{/a}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: '{{#a}} takes no arguments' }]);
  });

  it('includeZero=true on #if and #unless is supported', () => {
    expect(problemsOf('{{#if n includeZero=true}}x{{/if}}{{#unless n includeZero=true}}y{{/unless}}')).toEqual([]);
  });

  it('block params only on #each and #with (Handlebars fails on the others when they are read)', () => {
    expect(problemsOf('{{#if a as |x|}}{{x}}{{/if}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: '{{#if}} takes no block params (as |x|)' }]);
    expect(problemsOf('{{#xs as |x|}}{{x}}{{/xs}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: '{{#xs}} takes no block params' }]);
    expect(problemsOf('{{#each xs as |x i|}}{{x}}{{/each}}{{#with t as |x|}}{{x}}{{/with}}')).toEqual([]);
  });

  it('a macro call with two context arguments (a Handlebars compile error)', () => {
    expect(problemsOf('a\n {{> m x y}}')).toEqual([
      { code: 'E_TEMPLATE_PARTIAL', line: 2, col: 2, message: 'macro "m" takes at most one context argument, got 2' },
    ]);
  });

  it('an argument given twice (Handlebars silently keeps the first)', () => {
    expect(problemsOf('{{> m a=1 a=2}}')).toMatchObject([{ code: 'E_TEMPLATE_SYNTAX', message: 'argument a= is given twice', line: 1, col: 11 }]);
  });

  it('a block helper written as a mustache, a helper written as a block', () => {
    expect(problemsOf('{{if a}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: 'if is a block helper' }]);
    expect(problemsOf('{{each}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: 'each is a block helper' }]);
    expect(problemsOf('{{#quote}}x{{/quote}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: '{{quote}} is not a block helper' }]);
  });

  it('a sub-expression must call a helper (Handlebars would call a missing one and get nothing)', () => {
    expect(problemsOf('{{#if (flag)}}x{{/if}}')).toMatchObject([{ code: 'E_TEMPLATE_HELPER', message: 'unknown helper "flag"' }]);
    expect(problemsOf('{{#each xs as |f|}}{{#if (f)}}x{{/if}}{{/each}}')).toEqual([]);
  });
});

describe('parseTemplate: what the IR now records', () => {
  it('the indent of a partial alone on its line', () => {
    const ir = parseTemplate('select\n    {{> cols}}\nfrom t {{> inline}}\n');
    expect(ir.body.filter((s) => s.k === 'partial').map((s) => (s.k === 'partial' ? [s.name, s.indent] : []))).toEqual([
      ['cols', '    '],
      ['inline', undefined],
    ]);
  });

  it('a block param shadows a helper of the same name, as in Handlebars', () => {
    const ir = parseTemplate('{{#each xs as |quote|}}{{quote}}{{/each}}');
    expect(ir.problems).toEqual([]);
    const block = ir.body[0]!;
    if (block.k !== 'block') throw new Error('not a block');
    expect(block.body[0]).toMatchObject({ k: 'out', e: { k: 'path', parts: ['quote'] } });
  });

  it('a helper name in argument position is a context lookup, as in Handlebars', () => {
    const ir = parseTemplate('{{#if config}}x{{/if}}');
    expect(ir.problems).toEqual([]);
    expect(ir.body[0]).toMatchObject({ k: 'block', args: [{ k: 'path', parts: ['config'] }] });
  });

  it('a literal in a helper position is a path, as in Handlebars: {{"a b"}} reads the key "a b"', () => {
    expect(parseTemplate('{{"a b"}}').body[0]).toMatchObject({ k: 'out', e: { k: 'path', parts: ['a b'] } });
  });

  it('carries the IR version, so a cache of another version is not used', () => {
    expect(parseTemplate('select 1').version).toBe(IR_VERSION);
    expect(parseTemplate('{{#if}}').version).toBe(IR_VERSION);
  });
});
