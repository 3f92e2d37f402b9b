import { describe, expect, it } from 'vitest';
import { folderLayers, normaliseConfigKey } from '../../../src/config/folder-config.js';
import { hookList, parseProjectConfig } from '../../../src/config/project-config.js';

function config(text: string) {
  const r = parseProjectConfig(text);
  expect(r.diagnostics).toEqual([]);
  return r.config!;
}

describe('parseProjectConfig', () => {
  it('applies defaults: profile = name, standard folders, target/, no vars or hooks', () => {
    const c = config('name: shop\n');
    expect(c).toMatchObject({
      name: 'shop',
      profile: 'shop',
      modelPaths: ['models'],
      seedPaths: ['seeds'],
      testPaths: ['tests'],
      macroPaths: ['macros'],
      targetPath: 'target',
      vars: {},
      onRunStart: [],
      onRunEnd: [],
    });
    expect(c.models.config).toEqual({});
    expect(c.models.children.size).toBe(0);
  });

  it('reads every documented key', () => {
    const c = config(
      [
        'name: shop',
        'version: 2',
        'profile: warehouse',
        'model-paths: [src, more]',
        'seed-paths: data',
        'test-paths: [checks]',
        'macro-paths: [lib]',
        'target-path: build',
        'vars: {start: "2024-01-01", methods: [a, b]}',
        'on-run-start: "create schema if not exists x"',
        'on-run-end: [select 1, select 2]',
      ].join('\n'),
    );
    expect(c).toMatchObject({
      profile: 'warehouse',
      modelPaths: ['src', 'more'],
      seedPaths: ['data'],
      testPaths: ['checks'],
      macroPaths: ['lib'],
      targetPath: 'build',
      vars: { start: '2024-01-01', methods: ['a', 'b'] },
      onRunStart: ['create schema if not exists x'],
      onRunEnd: ['select 1', 'select 2'],
    });
  });

  it('a YAML syntax error comes back as E_YAML_SYNTAX with the line', () => {
    const r = parseProjectConfig('name: shop\nvars:\n  a: [1,\n');
    expect(r.config).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ code: 'E_YAML_SYNTAX', file: 'etlx.yml' });
    expect(r.diagnostics[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('a file that is not a mapping is E_CONFIG_TYPE', () => {
    expect(parseProjectConfig('- a\n- b\n').diagnostics).toMatchObject([{ code: 'E_CONFIG_TYPE', message: 'etlx.yml must be a mapping of keys', line: 1 }]);
    expect(parseProjectConfig('').diagnostics).toMatchObject([{ code: 'E_CONFIG_TYPE' }]);
  });

  it('an unknown top-level key has a did-you-mean', () => {
    expect(parseProjectConfig('name: shop\ntarget_path: x\n').diagnostics).toMatchObject([
      { code: 'E_CONFIG_UNKNOWN_KEY', message: 'unknown key "target_path" in etlx.yml; did you mean "target-path"?', line: 2, column: 1 },
    ]);
  });

  it('a name that is not an identifier is rejected', () => {
    expect(parseProjectConfig('name: "my shop"\n').diagnostics[0]).toMatchObject({ code: 'E_CONFIG_VALUE', line: 1 });
  });

  it('hookList drops blank hooks and accepts a single string', () => {
    expect(hookList(['a', '  ', 'b'])).toEqual(['a', 'b']);
    expect(hookList('x')).toEqual(['x']);
    expect(hookList(undefined)).toEqual([]);
  });
});

describe('folder config (models: / seeds: in etlx.yml)', () => {
  it('a known key applies at its level; any other key names a subfolder', () => {
    const c = config('name: shop\nmodels:\n  materialized: table\n  staging:\n    materialized: view\n    schema: stg\n  marts:\n    core:\n      alias: x\n');
    expect(c.models.config).toEqual({ materialized: 'table' });
    expect(c.models.children.get('staging')!.config).toEqual({ materialized: 'view', schema: 'stg' });
    expect(c.models.children.get('marts')!.config).toEqual({});
    expect(c.models.children.get('marts')!.children.get('core')!.config).toEqual({ alias: 'x' });
  });

  it('+key is always a config key, even when it shadows a folder name', () => {
    const c = config('name: shop\nmodels:\n  +tags: [all]\n  staging:\n    +materialized: view\n');
    expect(c.models.config).toEqual({ tags: ['all'] });
    expect(c.models.children.get('staging')!.config).toEqual({ materialized: 'view' });
  });

  it('a plain known key and a +key in a subfolder each apply at their own level', () => {
    const c = config('name: shop\nmodels:\n  tags: a\n  reports:\n    +tags: [b]\n');
    expect(c.models.config).toEqual({ tags: 'a' });
    expect(c.models.children.get('reports')!.config).toEqual({ tags: ['b'] });
  });

  it('dbt\'s pre-hook spelling is accepted', () => {
    const c = config('name: shop\nmodels:\n  +pre-hook: "set x = 1"\n  post-hook: [a, b]\n');
    expect(c.models.config).toEqual({ pre_hook: 'set x = 1', post_hook: ['a', 'b'] });
    expect(normaliseConfigKey('pre-hook')).toBe('pre_hook');
    expect(normaliseConfigKey('schema')).toBe('schema');
  });

  it('dbt nesting under the project name is unwrapped', () => {
    const c = config('name: shop\nmodels:\n  shop:\n    materialized: table\n    staging:\n      +materialized: view\n');
    expect(c.models.config).toEqual({ materialized: 'table' });
    expect(c.models.children.get('staging')!.config).toEqual({ materialized: 'view' });
  });

  it('folderLayers returns the layers from the root down to the deepest configured folder', () => {
    const c = config('name: shop\nmodels:\n  +tags: [a]\n  marts:\n    +tags: [b]\n    core:\n      +tags: [c]\n');
    expect(folderLayers(c.models, ['marts', 'core', 'dim_x'])).toEqual([{ tags: ['a'] }, { tags: ['b'] }, { tags: ['c'] }]);
    expect(folderLayers(c.models, ['staging'])).toEqual([{ tags: ['a'] }]);
    expect(folderLayers(c.models, [])).toEqual([{ tags: ['a'] }]);
  });

  it('an unknown key whose value is not a mapping is E_CONFIG_UNKNOWN_KEY at the key, with a did-you-mean', () => {
    const r = parseProjectConfig('name: shop\nmodels:\n  staging:\n    +tags: [x]\n    materalized: view\n');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({
      code: 'E_CONFIG_UNKNOWN_KEY',
      message: 'unknown config key "materalized"; did you mean "materialized"?',
      file: 'etlx.yml',
      line: 5,
      column: 5,
    });
    expect(r.diagnostics[0]!.hint).toContain('subfolder name whose value is a mapping');
  });

  it('a folder given a scalar instead of a mapping is reported', () => {
    expect(parseProjectConfig('name: shop\nmodels:\n  staging: view\n').diagnostics).toMatchObject([
      { code: 'E_CONFIG_UNKNOWN_KEY', message: 'unknown config key "staging"', line: 3, column: 3 },
    ]);
  });

  it('a bad +key value is reported at the key as written, on its own line', () => {
    const r = parseProjectConfig('name: shop\nmodels:\n  +tags: [a]\n  staging:\n    +schema: s\n    +materialized: incrementl\n');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'E_CONFIG_VALUE', line: 6, column: 20 });
    expect(r.diagnostics[0]!.message).toContain('not "incrementl"; did you mean "incremental"?');
  });

  it('a wrongly typed folder value is reported at its line', () => {
    const r = parseProjectConfig('name: shop\nmodels:\n  marts:\n    +enabled: "no"\n');
    expect(r.diagnostics).toMatchObject([{ code: 'E_CONFIG_TYPE', line: 4, column: 15 }]);
  });

  it('seeds: takes seed config keys, and model-only keys there are unknown', () => {
    const c = config('name: shop\nseeds:\n  +tags: [ref]\n  customers:\n    +column_types: {id: integer}\n');
    expect(c.seeds.config).toEqual({ tags: ['ref'] });
    expect(c.seeds.children.get('customers')!.config).toEqual({ column_types: { id: 'integer' } });
    const bad = parseProjectConfig('name: shop\nseeds:\n  +materialized: table\n');
    expect(bad.diagnostics[0]).toMatchObject({ code: 'E_CONFIG_UNKNOWN_KEY', line: 3 });
  });
});

describe('notify in etlx.yml', () => {
  it('reads webhooks and commands, with on defaulting to [error] and a name from the position', () => {
    const c = config(
      [
        'name: shop',
        'notify:',
        '  - webhook: https://hooks.example.com/etlx',
        '    headers: {Authorization: \'Bearer {{env "HOOK_TOKEN"}}\'}',
        '  - name: pager',
        '    on: [error, warn]',
        '    command: [./ops/page.sh, --team, data]',
        '  - on: success',
        '    webhook: http://127.0.0.1:9/x',
        '    format: slack',
      ].join('\n'),
    );
    expect(c.notify).toEqual([
      { name: 'notify[0]', on: ['error'], target: { kind: 'webhook', url: 'https://hooks.example.com/etlx', headers: { Authorization: 'Bearer {{env "HOOK_TOKEN"}}' }, format: 'json' } },
      { name: 'pager', on: ['error', 'warn'], target: { kind: 'command', argv: ['./ops/page.sh', '--team', 'data'] } },
      { name: 'notify[2]', on: ['success'], target: { kind: 'webhook', url: 'http://127.0.0.1:9/x', headers: {}, format: 'slack' } },
    ]);
    expect(config('name: shop\n').notify).toBeUndefined();
  });

  it('rejects an unknown status in on, an empty command, headers on a command and a broken header template, at their lines', () => {
    const bad = (text: string) => parseProjectConfig(`name: shop\nnotify:\n${text}`).diagnostics;
    expect(bad('  - on: [failure]\n    webhook: https://x.example\n')[0]).toMatchObject({ code: 'E_CONFIG_VALUE', line: 3 });
    expect(bad('  - command: []\n')[0]).toMatchObject({ line: 3 });
    expect(bad('  - command: [x]\n    headers: {A: b}\n')[0]).toMatchObject({ code: 'E_CONFIG_VALUE', line: 4, message: 'notify[0] in etlx.yml: headers: and format: apply to a webhook, not a command' });
    const t = bad('  - webhook: https://x.example\n    headers: {A: \'{{env "A"\'}\n')[0]!;
    expect(t).toMatchObject({ code: 'E_CONFIG_VALUE', line: 4 });
    expect(t.message).toMatch(/^notify\[0\] in etlx\.yml: invalid template in headers/);
  });
});
