import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import yaml from 'js-yaml';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fastParse } from '../../src/template/fast-parse.js';
import { parseTemplate, parseWithHandlebars } from '../../src/template/parse.js';

/**
 * The fast parser (src/template/fast-parse.ts) against Handlebars' parser: for every text, the IR
 * that parseTemplate returns (fast path, or Handlebars when the fast parser declines) must equal
 * the IR built from `Handlebars.parse` in every field: body, locations, static facts, problems
 * (code, message, hint, line, column). On the whole corpus (every template file, templated YAML
 * value and template string literal in the repository), on generated valid and invalid texts,
 * and on mutations of the corpus. Syntax errors are never the fast parser's: it must decline
 * every text Handlebars rejects.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', '.git', 'target', 'out']);

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith('target')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

function yamlStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') {
    if (v.includes('{{')) out.push(v);
  } else if (Array.isArray(v)) for (const x of v) yamlStrings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) yamlStrings(x, out);
}

/** String literals holding `{{` in the TypeScript sources and tests: the unit tests' templates. */
function literals(file: string, out: string[]): void {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const visit = (n: ts.Node): void => {
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && n.text.includes('{{')) out.push(n.text);
    else if (ts.isTemplateExpression(n)) {
      // `${...}` parts become a plain name, which keeps the template's shape.
      const text = n.head.text + n.templateSpans.map((s) => `x${s.literal.text}`).join('');
      if (text.includes('{{')) out.push(text);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
}

const corpus: string[] = (() => {
  const out: string[] = [];
  for (const f of files(ROOT)) {
    const rel = path.relative(ROOT, f);
    if (f.endsWith('.sql')) out.push(readFileSync(f, 'utf8'));
    else if ((f.endsWith('.yml') || f.endsWith('.yaml')) && !rel.startsWith('.')) {
      try {
        for (const doc of yaml.loadAll(readFileSync(f, 'utf8'))) yamlStrings(doc, out);
      } catch {
        // A fixture of broken YAML: its values are not templates anyone renders.
      }
    } else if (/\.(ts|mjs)$/.test(f) && (rel.startsWith('test') || rel.startsWith('src') || rel.startsWith('bench')) && !rel.endsWith('template-parser.test.ts')) literals(f, out);
  }
  return [...new Set(out)];
})();

function same(text: string): void {
  const expected = parseWithHandlebars(text);
  const actual = parseTemplate(text);
  expect(actual, JSON.stringify(text)).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

function handlebarsRejects(text: string): boolean {
  try {
    Handlebars.parse(text);
    return false;
  } catch {
    return true;
  }
}

/** Constructs the fast parser leaves to Handlebars on purpose. */
const DECLINED = /\\\{\{|\{\{\{\{|\{\{~?#?[>*]\s*\(|\{\{~?#[>*]|\{\{~?\*|[\u0000\u2028\u2029]/;

describe('the fast template parser builds the same IR as Handlebars.parse', () => {
  it('on the whole corpus: template files, templated YAML values, template literals in the sources and tests', () => {
    expect(corpus.length).toBeGreaterThan(800);
    let fast = 0;
    const declined: string[] = [];
    for (const t of corpus) {
      same(t);
      if (fastParse(t)) fast++;
      else if (!handlebarsRejects(t) && !DECLINED.test(t)) declined.push(t);
    }
    // Every template Handlebars accepts is parsed by the fast path, except the constructs above.
    expect(declined).toEqual([]);
    expect(fast).toBeGreaterThan(corpus.length * 0.8);
  });

  it('declines every corpus text that Handlebars rejects, so syntax errors stay Handlebars\' own', () => {
    const rejected = corpus.filter(handlebarsRejects);
    expect(rejected.length).toBeGreaterThan(5);
    for (const t of rejected) expect(fastParse(t), t).toBeUndefined();
  });

  it('on each construct of the subset, fast path taken', () => {
    const cases = [
      '', 'x', '{{a}}', '{{ a }}', '{{{a}}}', '{{& a}}', '{{~a~}}', ' {{~{a}~}} ', 'a\r\nb {{c}}\rd\n{{e}}',
      '{{a.b}}', '{{a/b}}', '{{this}}', '{{.}}', '{{./a}}', '{{../a}}', '{{../../a.b}}', '{{this.a}}', '{{a.[0]}}', '{{[a b].c}}', '{{a .b}}', '{{a . b}}',
      '{{@index}}', '{{@root.a}}', '{{@../index}}', '{{"a b"}}', '{{1}}', '{{-1.5}}', '{{true}}', '{{null}}', '{{undefined}}', "{{'q\\'s'}}", '{{"d\\"q"}}',
      '{{ref "a"}}', '{{ref \'a\'}}', '{{source "s" "t"}}', '{{var "v" 1}}', '{{config materialized="table" tags="a,b" n=1 f=false}}', '{{config a=(quote "x")}}',
      '{{#if a}}x{{/if}}', '{{#if a includeZero=true}}x{{else}}y{{/if}}', '{{#if a}}x{{else if b}}y{{else if c}}z{{else}}w{{/if}}', '{{#if a}}x{{^}}y{{/if}}',
      '{{#each xs as |it k|}}{{k}}{{it}}{{/each}}', '{{#with o as |it|}}{{it.a}}{{/with}}', '{{#a}}x{{/a}}', '{{^a}}x{{/a}}', '{{^a}}x{{else}}y{{/a}}',
      '{{#if (eq a "x")}}y{{/if}}', '{{quote (lookup o "a")}}', '{{> p}}', '{{> p o a=1 b="x"}}', '{{> "p"}}', '\n  {{> p}}\n', '  {{> p}}\n', '{{! c }}', '{{!-- {{a}} --}}x{{b}}',
      '\n{{#if a}}\n  x\n{{else}}\n  y\n{{/if}}\n', '  {{#each xs}}\n    {{this}}\n  {{/each}}\n', '{{~#if a~}}\n x \n{{~else~}}\n y \n{{~/if~}}', '\t{{!-- c --}}\t\nx',
      '{{#if a}}\r\n  x\r\n{{/if}}\r\n', 'héllo {{ä}} ✓ {{b}}', '{{#each xs}}{{@first}}{{@last}}{{@key}}{{/each}}', '{{a b=c}}', '{{#if}}x{{/if}}',
      '{{if a}}', '{{#quote a}}x{{/quote}}', '{{#unknown a}}x{{/unknown}}', '{{ref a}}', '{{config a=b}}', '{{(a)}}', '{{x a=1 a=2}}', '{{#if a as |b|}}x{{/if}}', '{{#each xs key="a"}}x{{/each}}',
      '{{> p a b}}', '{{ref(\'a\')}}', '{% if x %}{{a}}', '{{#each xs}}{{this}}{{/each}} {{this}}', '{{else}}',
      '{{[this]}}', '{{[..]}}', '{{[.]}}', '{{a.[this]}}', '{{[this].a}}', '{{[a\\]b]}}', '{{true.a}}', '{{null.a}}', '{{trueish}}', '{{a-b}}', '{{1a}}', '{{$a:b?}}', '{{#each xs as |true|}}x{{/each}}',
    ];
    for (const t of cases) {
      same(t);
      if (!handlebarsRejects(t)) expect(fastParse(t), JSON.stringify(t)).toBeDefined();
    }
  });

  it('leaves escapes, raw blocks, decorators, partial blocks and dynamic partials to Handlebars', () => {
    for (const t of ['\\{{a}}', 'x\\\\{{a}}', '{{{{raw}}}}{{a}}{{{{/raw}}}}', '{{#> p}}x{{/p}}', '{{#*inline "p"}}x{{/inline}}', '{{*d}}', '{{> (a)}}', 'a\u2028{{b}}', 'a\u0000{{b}}']) {
      expect(fastParse(t), JSON.stringify(t)).toBeUndefined();
      same(t);
    }
  });
});

// ---- generated texts ----------------------------------------------------------------------------

const FRAGMENTS = [
  '{{', '}}', '{{{', '}}}', '{{~', '~}}', '{{#', '{{/', '{{^', '{{^}}', '{{else}}', '{{else ', '{{&', '{{>', '{{!', '{{!--', '--}}', '(', ')', '=', '.', '..', '/', '@', '|', 'as |', '[', ']',
  '"', "'", '\\', ' ', '\n', '\r\n', '\r', '\t', 'a', 'b', 'xs', 'this', 'if', 'each', 'with', 'unless', 'ref', 'config', 'quote', 'eq', 'true', '1', '-2.5', 'null', 'undefined', 'x=', '*',
  '{{a}}', '{{#if a}}', '{{/if}}', '{{#each xs as |it|}}', '{{/each}}', '{{> p a=1}}', '{{ref "m"}}', '"s"', 'select 1', '{% if %}', "ref('a')", 'é',
  '[this]', '[..]', 'true.a', '1a', 'else if ', '{{else if a}}', '~', '{{#with o}}', '{{/with}}', '{{@index}}', '\\{{', '{{{{', '{{!-- x --}}', '  {{> p}}\n',
  '$', ':', '?', '-', '\u00a0', '\u3000', '\x1f', '\v', '`', ';', '%', '+', '^', '<', '\ud83d\ude00', '{{a\u00a0}}', '{{$x:y?}}', '{{a-b c}}',
];
const soup = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 14 }).map((xs) => xs.join(''));

/** A random edit of a corpus text: delete, duplicate or insert a fragment at a random place. */
const mutation = fc
  .tuple(fc.nat(), fc.nat(), fc.nat(), fc.constantFrom('delete', 'duplicate', 'insert'), fc.constantFrom(...FRAGMENTS))
  .map(([t, a, b, op, frag]) => {
    const text = corpus[t % corpus.length]!;
    const i = text.length === 0 ? 0 : a % text.length;
    const j = Math.min(text.length, i + 1 + (b % 8));
    if (op === 'delete') return text.slice(0, i) + text.slice(j);
    if (op === 'duplicate') return text.slice(0, j) + text.slice(i, j) + text.slice(j);
    return text.slice(0, i) + frag + text.slice(i);
  });

/** Valid templates: nested blocks, else chains, partials and comments with `~` and whitespace around every tag. */
const WS = fc.constantFrom('', '', ' ', '\n', '  ', '\r\n', '\t', 'x', 'x\n', '\n  ', ' \n ', '\n\n');
const T = fc.constantFrom('', '', '~');
const NAME = fc.constantFrom('a', 'b.c', '../a', 'this', '@index', '[x y]', 'quote (eq a 1)', '"s"', '1', 'ref "m"');
const nested = fc.letrec<{ t: string; node: string }>((tie) => ({
  t: fc.array(fc.tuple(WS, tie('node'), WS), { minLength: 0, maxLength: 3 }).map((xs) => xs.map((x) => x.join('')).join('')),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(T, NAME, T).map(([l, n, r]) => `{{${l}${n}${r}}}`),
    fc.tuple(T, T, fc.constantFrom('! c ', '!-- {{a}} --')).map(([l, r, c]) => `{{${l}${c}${r}}}`),
    fc.tuple(T, fc.constantFrom('p', 'p a', 'p b=1 c=a'), T).map(([l, n, r]) => `{{${l}> ${n}${r}}}`),
    fc
      .tuple(fc.constantFrom('#if a', '#each xs as |it i|', '#with o', '^a', '#a', '#unless b'), T, T, tie('t'), fc.array(fc.tuple(fc.constantFrom('else if b', 'else if c', 'else unless a'), T, T, tie('t')), { maxLength: 2 }), fc.option(fc.tuple(fc.constantFrom('else', '^'), T, T, tie('t')), { nil: undefined }), T, T)
      .map(([open, l1, r1, body, chain, inv, l3, r3]) => {
        const name = open.slice(1).split(' ')[0];
        // `{{else if}}` only continues a block opened with #.
        const links = open.startsWith('#') ? chain : [];
        const middle = [...links, ...(inv ? [inv] : [])].map(([tag, l, r, t]) => `{{${l}${tag}${r}}}${t}`).join('');
        return `{{${l1}${open}${r1}}}${body}${middle}{{${l3}/${name}${r3}}}`;
      }),
  ),
})).t;

describe('the fast template parser on generated texts, valid and invalid', () => {
  it('nested blocks with whitespace and ~ around every tag: same IR, always the fast path', () => {
    fc.assert(
      fc.property(nested, (t) => {
        same(t);
        expect(fastParse(t)).toBeDefined();
      }),
      { seed: 424242, numRuns: 4000 },
    );
  });

  it('token soup: same IR and same problems; every text Handlebars rejects is declined', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(soup, (t) => {
        same(t);
        if (handlebarsRejects(t)) {
          rejected++;
          expect(fastParse(t)).toBeUndefined();
        } else if (fastParse(t)) accepted++;
      }),
      { seed: 1511, numRuns: 6000 },
    );
    // Both kinds occur often enough for the property to mean something.
    expect(accepted).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(3000);
  });

  it('mutated corpus templates: same IR and same problems', () => {
    let rejected = 0;
    fc.assert(
      fc.property(mutation, (t) => {
        same(t);
        if (handlebarsRejects(t)) {
          rejected++;
          expect(fastParse(t)).toBeUndefined();
        }
      }),
      { seed: 30112026, numRuns: 6000 },
    );
    expect(rejected).toBeGreaterThan(1500);
  });
});
