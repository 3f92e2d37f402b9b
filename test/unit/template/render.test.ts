import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { type TemplateIR } from '../../../src/template/ir.js';
import { parseTemplate } from '../../../src/template/parse.js';
import { render, RenderError, sourcePosition, truthy, type Helper, type Rendered } from '../../../src/template/render.js';

const VARS: Record<string, unknown> = {
  methods: ['card', 'paypal', 'gift_card'],
  limits: { low: 1, high: 9 },
  empty: [],
};

/** Stand-ins for the compile helpers: enough to exercise the interpreter. */
const helpers: Record<string, Helper> = {
  ref: (args) => `"main"."${String(args[args.length - 1])}"`,
  var: (args, _hash, at) => {
    const name = String(args[0]);
    if (name in VARS) return VARS[name];
    if (args.length > 1) return args[1];
    throw new RenderError(`var "${name}" has no value`, 'set it', at.line, at.col, 'E_VAR_MISSING');
  },
  quote: (args) => `'${String(args[0])}'`,
  eq: (args) => args[0] === args[1],
  config: () => '',
};

function parse(text: string): TemplateIR {
  const ir = parseTemplate(text);
  if (ir.problems.length > 0) throw new Error(`template problems: ${JSON.stringify(ir.problems)}`);
  return ir;
}

function run(text: string, ctx: Record<string, unknown> = {}, partials: Record<string, string> = {}): Rendered {
  return render(parse(text), ctx, { helpers, partials: new Map(Object.entries(partials).map(([k, v]) => [k, parse(v)])) });
}

const out = (text: string, ctx: Record<string, unknown> = {}, partials: Record<string, string> = {}) => run(text, ctx, partials).text;

describe('render', () => {
  it('copies content as is', () => {
    expect(out('select 1\n  from t;\n')).toBe('select 1\n  from t;\n');
  });

  it('does not HTML-escape (noEscape): comparisons, quotes and ampersands stay', () => {
    expect(out("select a > b, a < c, 'x' & \"y\", {{v}}", { v: `<it's & "q">` })).toBe(`select a > b, a < c, 'x' & "y", <it's & "q">`);
    expect(out('{{{v}}}', { v: "a > 'b'" })).toBe("a > 'b'");
  });

  it('calls helpers with literal arguments', () => {
    expect(out('select * from {{ref "orders"}}')).toBe('select * from "main"."orders"');
    expect(out('{{var "days" 7}} {{var "flag" false}}')).toBe('7 false');
  });

  it('prints lists comma-joined and null/undefined as nothing', () => {
    expect(out('{{var "methods"}}|{{missing}}|{{n}}', { n: null })).toBe('card,paypal,gift_card||');
  });

  it('refuses to print a mapping into SQL', () => {
    expect(() => out('x\n  {{var "limits"}}')).toThrow(RenderError);
    try {
      out('x\n  {{var "limits"}}');
    } catch (e) {
      expect(e).toMatchObject({ message: 'cannot print a mapping into SQL', line: 2, col: 3 });
    }
  });

  it('iterates a list var with @index, @first and @last', () => {
    const t = `{{#each (var "methods")}}{{#if @first}}in ({{/if}}'{{this}}'{{#unless @last}}, {{else}}){{/unless}}{{/each}}`;
    expect(out(t)).toBe("in ('card', 'paypal', 'gift_card')");
    expect(out('{{#each (var "methods")}}{{@index}}={{this}};{{/each}}')).toBe('0=card;1=paypal;2=gift_card;');
  });

  it('iterates a mapping with @key', () => {
    expect(out('{{#each (var "limits")}}{{@key}}:{{this}}{{#unless @last}},{{/unless}}{{/each}}')).toBe('low:1,high:9');
  });

  it('names the item and index with block params', () => {
    expect(out('{{#each (var "methods") as |m i|}}{{i}}{{m}} {{/each}}')).toBe('0card 1paypal 2gift_card ');
  });

  it('renders {{else}} of #each for an empty list', () => {
    expect(out('{{#each (var "empty")}}x{{else}}none{{/each}}')).toBe('none');
  });

  it('keeps the outer context visible inside #each (target, is_incremental)', () => {
    const ctx = { target: { name: 'prod', schema: 'analytics' }, is_incremental: true };
    expect(out('{{#each (var "methods")}}{{target.name}}.{{this}}{{#if is_incremental}}+{{/if}} {{/each}}', ctx)).toBe('prod.card+ prod.paypal+ prod.gift_card+ ');
  });

  it('../ reaches the enclosing context', () => {
    const ctx = { rows: [{ n: 1 }, { n: 2 }], suffix: '!' };
    expect(out('{{#each rows}}{{n}}{{../suffix}}{{/each}}', ctx)).toBe('1!2!');
    expect(out('{{#with t}}{{name}}/{{../project}}{{/with}}', { t: { name: 'dev' }, project: 'shop' })).toBe('dev/shop');
  });

  it('this. restricts the lookup to the current context', () => {
    expect(out('{{#each rows}}[{{this.suffix}}|{{suffix}}]{{/each}}', { rows: [{}], suffix: 's' })).toBe('[|s]');
  });

  it('#if / {{else}} / {{else if}}, with Handlebars truthiness', () => {
    const t = '{{#if a}}A{{else if b}}B{{else}}C{{/if}}';
    expect(out(t, { a: 1 })).toBe('A');
    expect(out(t, { a: 0, b: 'x' })).toBe('B');
    expect(out(t, { a: [], b: '' })).toBe('C');
    expect(truthy([])).toBe(false);
    expect(truthy([0])).toBe(true);
    expect(truthy('')).toBe(false);
    expect(truthy({})).toBe(true);
  });

  it('#if is_incremental reads context data', () => {
    const t = 'select * from src{{#if is_incremental}} where ts > (select max(ts) from {{self}}){{/if}}';
    expect(out(t, { is_incremental: false, self: '"main"."m"' })).toBe('select * from src');
    expect(out(t, { is_incremental: true, self: '"main"."m"' })).toBe('select * from src where ts > (select max(ts) from "main"."m")');
  });

  it('#unless with {{else}}', () => {
    expect(out('{{#unless x}}no{{else}}yes{{/unless}}', { x: true })).toBe('yes');
    expect(out('{{#unless x}}no{{else}}yes{{/unless}}', { x: false })).toBe('no');
  });

  it('#with changes the context and falls back to {{else}}', () => {
    expect(out('{{#with target}}{{name}}.{{schema}}{{else}}none{{/with}}', { target: { name: 'dev', schema: 'main' } })).toBe('dev.main');
    expect(out('{{#with target}}{{name}}{{else}}none{{/with}}', {})).toBe('none');
    expect(out('{{#with target as |t|}}{{t.name}}{{/with}}', { target: { name: 'dev' } })).toBe('dev');
  });

  it('helpers work as sub-expressions in blocks', () => {
    expect(out('{{#if (eq target "prod")}}P{{else}}D{{/if}}', { target: 'prod' })).toBe('P');
  });

  it('whitespace control trims around tags', () => {
    expect(out('select\n  {{~ v ~}}  \n  from t', { v: ' x ' })).toBe('select x from t');
    expect(out('a\n{{#if t~}}\n   b\n{{~/if}}\nc', { t: true })).toBe('a\nbc');
    // A block tag alone on its line takes its line break with it (Handlebars' standalone rule).
    expect(out('select\n{{#if t}}\n  a\n{{/if}}\nfrom x', { t: true })).toBe('select\n  a\nfrom x');
  });

  it('comments render nothing', () => {
    expect(out('a {{!-- long {{ref "x"}} --}}b{{! short }}c')).toBe('a bc');
  });

  it('renders partials with hash arguments', () => {
    const partials = { cents: 'cast({{column}} / 100 as decimal(18, 2))' };
    expect(out('select {{> cents column="amount_cents"}} as amount', {}, partials)).toBe('select cast(amount_cents / 100 as decimal(18, 2)) as amount');
  });

  it('partial hash arguments are evaluated in the caller context and merged over it', () => {
    const partials = { p: '{{col}}@{{target.name}}' };
    expect(out('{{#each (var "methods")}}{{> p col=this}} {{/each}}', { target: { name: 'dev' } }, partials)).toBe('card@dev paypal@dev gift_card@dev ');
  });

  it('renders nested partials, passing arguments down', () => {
    const partials = { outer: 'sum({{> inner c=col}})', inner: 'coalesce({{c}}, 0)', 'finance/cents': '{{> outer col=x}}' };
    expect(out('{{> finance/cents x="amount"}}', {}, partials)).toBe('sum(coalesce(amount, 0))');
  });

  it('a partial may use helpers', () => {
    expect(out('{{> from_orders}}', {}, { from_orders: 'from {{ref "orders"}}' })).toBe('from "main"."orders"');
  });

  it('a missing partial is E_MACRO_NOT_FOUND at the call site', () => {
    try {
      out('select\n  {{> nope}}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RenderError);
      expect(e).toMatchObject({ code: 'E_MACRO_NOT_FOUND', line: 2, col: 3, message: 'macro "nope" not found' });
    }
  });

  it('an error inside a macro is reported at the call site in the model, naming the macro', () => {
    try {
      out('select 1,\n   {{> m}}', {}, { m: 'a\n{{var "nope"}}' });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_VAR_MISSING', line: 2, col: 4, partial: 'm' });
      expect((e as Error).message).toBe('in macro "m" (its line 2): var "nope" has no value');
    }
  });

  it('a helper error carries its template position', () => {
    try {
      out('select\n\n    {{var "nope"}}');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_VAR_MISSING', line: 3, col: 5 });
    }
  });

  it('an unknown helper at render time is E_TEMPLATE_HELPER', () => {
    const ir = parse('{{lookup a "b"}}');
    expect(() => render(ir, { a: { b: 1 } }, { helpers: {}, partials: new Map() })).toThrow(/unknown helper "lookup"/);
  });
});

describe('sourcePosition', () => {
  it('maps an offset in a text chunk to its line and column', () => {
    const r = run('select a,\n       b\nfrom t');
    const at = (s: string) => sourcePosition(r, r.text.indexOf(s));
    expect(at('select')).toEqual({ line: 1, col: 1 });
    expect(at('b')).toEqual({ line: 2, col: 8 });
    expect(at('from')).toEqual({ line: 3, col: 1 });
  });

  it('accounts for helper output that is longer or shorter than the tag', () => {
    const r = run('select *\nfrom {{ref "a_long_model_name"}} where x =\n  {{var "days" 7}} and bad');
    expect(r.text).toBe('select *\nfrom "main"."a_long_model_name" where x =\n  7 and bad');
    expect(sourcePosition(r, r.text.indexOf('where'))).toEqual({ line: 2, col: 34 });
    expect(sourcePosition(r, r.text.indexOf('bad'))).toEqual({ line: 3, col: 24 });
  });

  it('maps any offset inside a helper result to the tag', () => {
    const r = run('x {{ref "orders"}} y');
    expect(sourcePosition(r, r.text.indexOf('orders'))).toEqual({ line: 1, col: 3 });
  });

  it('maps text produced by a macro to the macro call', () => {
    const r = run('select\n  {{> m}},\n  c', {}, { m: 'a,\nb' });
    expect(r.text).toBe('select\n  a,\nb,\n  c');
    expect(sourcePosition(r, r.text.indexOf('b,'))).toEqual({ line: 2, col: 3 });
    expect(sourcePosition(r, r.text.lastIndexOf('c'))).toEqual({ line: 3, col: 3 });
  });

  it('maps text inside a block and skips what a removed {{config}} occupied', () => {
    const r = run('{{config materialized="table"}}\nselect 1{{#if t}}\n  , oops{{/if}}', { t: true });
    expect(r.text).toBe('\nselect 1\n  , oops');
    expect(sourcePosition(r, r.text.indexOf('select'))).toEqual({ line: 2, col: 1 });
    expect(sourcePosition(r, r.text.indexOf('oops'))).toEqual({ line: 3, col: 5 });
  });

  it('returns undefined for an empty output', () => {
    expect(sourcePosition(run(''), 0)).toBeUndefined();
  });
});

describe('render agrees with Handlebars (noEscape, compat) where no etlx helper is involved', () => {
  const partials: Record<string, string> = {
    cents: 'cast({{column}} / 100 as decimal(18, 2))',
    wrap: '({{> cents column=col}})',
    listing: '{{#each items}}{{name}}{{#unless @last}}, {{/unless}}{{/each}}',
  };
  const cases: [string, Record<string, unknown>][] = [
    ['select a > b, \'it\'\'s\' & "q" {{v}}', { v: '<&>\'"' }],
    ['{{#each items}}{{@index}}:{{name}}{{#if @first}}!{{/if}}{{#if @last}}.{{/if}} {{/each}}', { items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }],
    ['{{#each m}}{{@key}}={{this}};{{/each}}', { m: { x: 1, y: 'two' } }],
    ['{{#each items}}{{target.name}}/{{name}}{{#if is_incremental}}*{{/if}} {{/each}}', { items: [{ name: 'a' }, { name: 'b' }], target: { name: 'dev' }, is_incremental: true }],
    ['{{#each items}}{{name}}{{../sep}}{{/each}}', { items: [{ name: 'a' }, { name: 'b' }], sep: '|' }],
    ['{{#with t}}{{name}}-{{../p}}{{else}}none{{/with}}', { t: { name: 'x' }, p: 'q' }],
    ['{{#with t}}{{name}}{{else}}none{{/with}}', {}],
    ['{{#if a}}A{{else if b}}B{{else}}C{{/if}}|{{#unless a}}u{{else}}U{{/unless}}', { a: 0, b: [] }],
    ['{{#each items}}x{{else}}empty{{/each}}', { items: [] }],
    ['{{#each items as |it i|}}{{i}}{{it.name}}{{/each}}', { items: [{ name: 'a' }, { name: 'b' }] }],
    ['select\n  {{~ v ~}}  \n  from t\n{{#if t}}\n  where 1\n{{/if}}\n', { v: ' x ', t: true }],
    ['a {{!-- c {{x}} --}}b{{! c }}c', {}],
    ['{{> cents column="amount"}} and {{> wrap col="x"}}', {}],
    ['{{> listing}}', { items: [{ name: 'a' }, { name: 'b' }] }],
    ['{{#each groups}}[{{> listing}}]{{/each}}', { groups: [{ items: [{ name: 'a' }] }, { items: [{ name: 'b' }, { name: 'c' }] }] }],
    ['{{n}} {{f}} {{z}} {{nothing}}', { n: 3.5, f: false, z: 0 }],
    ['{{#each items}}{{#each ../cols}}{{this}}{{../name}} {{/each}}{{/each}}', { items: [{ name: 'a' }], cols: ['x', 'y'] }],
  ];
  it.each(cases)('%s', (template, ctx) => {
    const hbs = Handlebars.create();
    for (const [name, text] of Object.entries(partials)) hbs.registerPartial(name, text);
    const expected = hbs.compile(template, { noEscape: true, compat: true })(ctx);
    expect(out(template, ctx, partials)).toBe(expected);
  });
});
