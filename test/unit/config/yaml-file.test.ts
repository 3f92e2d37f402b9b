import { describe, expect, it } from 'vitest';
import { ALIAS_EXPANSION_LIMIT, parseYamlFile } from '../../../src/config/yaml-file.js';
import { EtlxError } from '../../../src/errors/diagnostic.js';
import { parseVars } from '../../../src/plan/vars.js';

describe('parseYamlFile', () => {
  it('parses a mapping and keeps the data as plain JS', () => {
    const { yaml, diagnostics } = parseYamlFile('name: shop\nvars:\n  days: 7\n  methods: [card, paypal]\n', 'etlx.yml');
    expect(diagnostics).toEqual([]);
    expect(yaml!.file).toBe('etlx.yml');
    expect(yaml!.data).toEqual({ name: 'shop', vars: { days: 7, methods: ['card', 'paypal'] } });
  });

  it('an unclosed flow sequence is E_YAML_SYNTAX with line and column', () => {
    const { yaml, diagnostics } = parseYamlFile('a: 1\nb: [1, 2\nc: 3\n', 'x.yml');
    expect(yaml).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'E_YAML_SYNTAX', file: 'x.yml', line: 3, column: 1 });
    expect(diagnostics[0]!.message).toMatch(/^invalid YAML: Flow sequence/);
    expect(diagnostics[0]!.hint).toContain('indentation');
  });

  it('a repeated key is an error at the second key, with its own hint', () => {
    const { diagnostics } = parseYamlFile('a: 1\nb: 2\na: 3\n', 'x.yml');
    expect(diagnostics).toEqual([
      {
        code: 'E_YAML_SYNTAX',
        message: 'invalid YAML: Map keys must be unique',
        file: 'x.yml',
        line: 3,
        column: 1,
        hint: 'each key may appear once in a mapping; remove or rename the repeated key',
      },
    ]);
  });

  it('a tab used as indentation is reported with a tab hint', () => {
    const { diagnostics } = parseYamlFile('a:\n\t- b\n', 'x.yml');
    expect(diagnostics[0]).toMatchObject({ line: 2, column: 1, hint: 'YAML indentation must use spaces, not tabs' });
  });

  it('an unquoted template value in a compact mapping points at the column', () => {
    const { diagnostics } = parseYamlFile('outputs:\n  dev: {path: a: b}\n', 'profiles.yml');
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]).toMatchObject({ code: 'E_YAML_SYNTAX', file: 'profiles.yml', line: 2 });
  });

  it('messages carry no "at line N, column M" suffix (the location is separate)', () => {
    const { diagnostics } = parseYamlFile('a:\n  b: 1\n c: 2\n', 'x.yml');
    expect(diagnostics[0]!.message).not.toMatch(/at line \d+/);
    expect(diagnostics[0]).toMatchObject({ line: 3 });
  });

  it('an empty file is valid and has null data', () => {
    const { yaml, diagnostics } = parseYamlFile('', 'empty.yml');
    expect(diagnostics).toEqual([]);
    expect(yaml!.data).toBeNull();
  });

  describe('locate', () => {
    const text = ['name: shop', 'models:', '  - name: orders', '    config:', '      materialized: table', '    columns:', '      - name: id', '        tests: [not_null, unique]', ''].join('\n');
    const yaml = parseYamlFile(text, 'models/x.yml').yaml!;

    it('finds the value at a path', () => {
      expect(yaml.locate(['name'])).toEqual({ line: 1, column: 7 });
      expect(yaml.locate(['models', 0, 'config', 'materialized'])).toEqual({ line: 5, column: 21 });
      expect(yaml.locate(['models', 0, 'columns', 0, 'tests', 1])).toEqual({ line: 8, column: 27 });
    });

    it('finds the key itself when asked', () => {
      expect(yaml.locate(['models', 0, 'config', 'materialized'], true)).toEqual({ line: 5, column: 7 });
    });

    it('falls back to the deepest existing node for a path that does not exist', () => {
      expect(yaml.locate(['models', 0, 'config', 'nope'])).toEqual({ line: 5, column: 7 });
      expect(yaml.locate(['models', 5])?.line).toBe(3);
    });
  });
});

/** "Billion laughs": nine levels of nine aliases, 9^9 strings when written out. */
const BOMB = [
  'name: p',
  'vars:',
  '  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...'bcdefghi'.split('').map((k, i) => {
    const prev = 'abcdefgh'[i]!;
    return `  ${k}: &${k} [${Array(9).fill(`*${prev}`).join(', ')}]`;
  }),
  '',
].join('\n');

describe('YAML alias expansion is bounded', () => {
  it('a YAML alias bomb in vars is refused with the file and the line of the alias (E_YAML_ALIAS_LIMIT)', () => {
    const { yaml, diagnostics } = parseYamlFile(BOMB, 'etlx.yml');
    expect(yaml).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'E_YAML_ALIAS_LIMIT', file: 'etlx.yml', line: 11, column: 10 }),
    ]);
    expect(diagnostics[0]!.message).toContain(`more than ${ALIAS_EXPANSION_LIMIT.toLocaleString('en-US')} values`);
    expect(diagnostics[0]!.hint).toBeTruthy();
  });

  it('aliasing below the bound reads, and locating a value in it does not crash', () => {
    const five = BOMB.split('\n').slice(0, 7).join('\n');
    const { yaml, diagnostics } = parseYamlFile(`${five}\n`, 'etlx.yml');
    expect(diagnostics).toEqual([]);
    expect(() => yaml!.locate(['vars', 'f'])).not.toThrow();
  });

  it('a long string repeated through aliases counts by its length', () => {
    const text = `s: &s "${'x'.repeat(100_000)}"\nl: &l [${Array(100).fill('*s').join(', ')}]\nm: [${Array(200).fill('*l').join(', ')}]\n`;
    expect(parseYamlFile(text, 'x.yml').diagnostics.map((d) => d.code)).toEqual(['E_YAML_ALIAS_LIMIT']);
  });

  it('ordinary anchors and aliases (shared defaults) still read', () => {
    const text = 'defaults: &d {materialized: table, tags: &t [a, b]}\nmodels:\n  one: *d\n  two: {tags: *t, alias: t}\nglob: staging/*.parquet\n';
    const { yaml, diagnostics } = parseYamlFile(text, 'x.yml');
    expect(diagnostics).toEqual([]);
    expect(yaml!.data).toEqual({
      defaults: { materialized: 'table', tags: ['a', 'b'] },
      models: { one: { materialized: 'table', tags: ['a', 'b'] }, two: { tags: ['a', 'b'], alias: 't' } },
      glob: 'staging/*.parquet',
    });
  });

  it('a large file without aliases is never refused', () => {
    const text = `items:\n${Array.from({ length: ALIAS_EXPANSION_LIMIT / 4 + 10 }, (_, i) => `  - [${i}, x, y]`).join('\n')}\n*: 1\n`.replace('*: 1', "'*': 1");
    expect(parseYamlFile(text, 'big.yml').diagnostics).toEqual([]);
  });

  it('--vars with an alias bomb is refused the same way', () => {
    const flow = `{${BOMB.split('\n').slice(2, -1).map((l) => l.trim().replace(/^(\w): /, '$1: ')).join(', ')}}`;
    expect(() => parseVars(flow)).toThrow(EtlxError);
    try {
      parseVars(flow);
    } catch (e) {
      expect((e as EtlxError).diagnostics[0]).toMatchObject({ code: 'E_YAML_ALIAS_LIMIT', file: '--vars', line: 1 });
    }
  });
});
