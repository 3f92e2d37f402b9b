import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelPropertiesSchema, propertiesFileSchema, projectFileSchema, toList } from '../../../src/config/schemas.js';
import { validateYaml } from '../../../src/config/validate.js';
import { parseYamlFile } from '../../../src/config/yaml-file.js';

function check<S extends z.ZodType>(schema: S, text: string, file = 'x.yml') {
  const yaml = parseYamlFile(text, file).yaml!;
  return validateYaml(schema, yaml, yaml.data, [], file);
}

describe('validateYaml', () => {
  it('returns the parsed value when valid', () => {
    const r = check(projectFileSchema, 'name: shop\nprofile: p\n', 'etlx.yml');
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual({ name: 'shop', profile: 'p' });
  });

  it('an unknown key is E_CONFIG_UNKNOWN_KEY at the key, with a did-you-mean and the valid keys', () => {
    const r = check(projectFileSchema, 'name: shop\n\nmodle-paths: [src]\n', 'etlx.yml');
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toEqual([
      {
        code: 'E_CONFIG_UNKNOWN_KEY',
        message: 'unknown key "modle-paths" in etlx.yml; did you mean "model-paths"?',
        file: 'etlx.yml',
        line: 3,
        column: 1,
        hint: 'valid keys here: clean-targets, config-version, macro-paths, model-paths, models, name, notify, on-run-end, on-run-start, profile, seed-paths, seeds, snapshot-paths, target-path, test-paths, vars, version',
      },
    ]);
  });

  it('an unknown key deep in a properties file names its path and line', () => {
    const text = 'models:\n  - name: orders\n    config:\n      materialised: table\n    colums: []\n';
    const r = check(propertiesFileSchema, text, 'models/a.yml');
    const byKey = Object.fromEntries(r.diagnostics.map((d) => [d.message, d]));
    expect(byKey['unknown key "materialised" in "models[0].config"; did you mean "materialized"?']).toMatchObject({ line: 4, column: 7, code: 'E_CONFIG_UNKNOWN_KEY' });
    expect(byKey['unknown key "colums" in "models[0]"; did you mean "columns"?']).toMatchObject({ line: 5, column: 5 });
    expect(r.diagnostics).toHaveLength(2);
  });

  it('an unknown key with no close match has no did-you-mean', () => {
    const r = check(projectFileSchema, 'name: shop\nzzzzzz: 1\n');
    expect(r.diagnostics[0]!.message).toBe('unknown key "zzzzzz" in x.yml');
  });

  it('a bad enum value is E_CONFIG_VALUE at the value, listing the allowed values with a did-you-mean', () => {
    const r = check(modelPropertiesSchema, 'name: a\nconfig:\n  materialized: incrementl\n');
    expect(r.diagnostics).toEqual([
      {
        code: 'E_CONFIG_VALUE',
        message: '"config.materialized" must be one of "view", "table", "incremental", "ephemeral", "file", not "incrementl"; did you mean "incremental"?',
        file: 'x.yml',
        line: 3,
        column: 17,
        hint: 'use one of: view, table, incremental, ephemeral, file',
      },
    ]);
  });

  it('a wrong type is E_CONFIG_TYPE naming what was expected and what was found', () => {
    const r = check(projectFileSchema, 'name: shop\nvars: [1, 2]\n', 'etlx.yml');
    expect(r.diagnostics).toEqual([
      { code: 'E_CONFIG_TYPE', message: '"vars" must be a mapping, not a list', file: 'etlx.yml', line: 2, column: 7, hint: 'write a YAML mapping: key: value' },
    ]);
    const b = check(modelPropertiesSchema, 'name: a\nconfig:\n  enabled: "yes"\n');
    expect(b.diagnostics[0]).toMatchObject({ code: 'E_CONFIG_TYPE', message: '"config.enabled" must be true or false, not string "yes"', line: 3 });
  });

  it('a value of none of a union\'s types names them all', () => {
    const r = check(modelPropertiesSchema, 'name: a\nconfig:\n  pre_hook: {sql: x}\n');
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ code: 'E_CONFIG_TYPE', message: '"config.pre_hook" must be a string or a list, not a mapping', line: 3, column: 13 }),
    ]);
  });

  it('a bad item inside a union-typed list points at the item', () => {
    const r = check(modelPropertiesSchema, 'name: a\nconfig:\n  tags: [ok, 3]\n');
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'E_CONFIG_TYPE', message: '"config.tags[1]" must be a string, not number 3', line: 3, column: 14 })]);
  });

  it('a missing required key is E_CONFIG_MISSING at its parent', () => {
    const r = check(projectFileSchema, 'profile: p\n', 'etlx.yml');
    expect(r.diagnostics).toEqual([{ code: 'E_CONFIG_MISSING', message: '"name" is required', file: 'etlx.yml', line: 1, column: 1, hint: 'add "name"' }]);
  });

  it('a regex check gives its own message', () => {
    const r = check(projectFileSchema, 'name: my-shop\n', 'etlx.yml');
    expect(r.diagnostics[0]).toMatchObject({ code: 'E_CONFIG_VALUE', line: 1, column: 7 });
    expect(r.diagnostics[0]!.message).toContain('must be letters, digits and underscores');
  });

  it('reports every problem, not only the first', () => {
    const r = check(propertiesFileSchema, 'models:\n  - name: a\n    config: {materialized: tabel, enabled: 1}\n  - name: b\n    foo: 1\n');
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['E_CONFIG_TYPE', 'E_CONFIG_UNKNOWN_KEY', 'E_CONFIG_VALUE']);
  });

  it('validates part of a file, locating through basePath', () => {
    const yaml = parseYamlFile('outer:\n  inner:\n    name: 3\n', 'x.yml').yaml!;
    const r = validateYaml(z.strictObject({ name: z.string() }), yaml, { name: 3 }, ['outer', 'inner'], 'inner');
    expect(r.diagnostics[0]).toMatchObject({ line: 3, column: 11, message: '"name" must be a string, not number 3' });
  });
});

describe('toList', () => {
  it('splits comma lists, trims and drops empties; passes lists through', () => {
    expect(toList('nightly, finance,,')).toEqual(['nightly', 'finance']);
    expect(toList(['a', ' b '])).toEqual(['a', 'b']);
    expect(toList(undefined)).toEqual([]);
    expect(toList('id')).toEqual(['id']);
  });
});
