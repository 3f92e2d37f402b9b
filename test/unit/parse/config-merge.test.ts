import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromTemplate, materializationOf, mergeLayers, resolveModelConfig, resolveSeedConfig, resolveTestConfig } from '../../../src/parse/config-merge.js';
import type { ModelNode } from '../../../src/parse/nodes.js';
import type { Diagnostic } from '../../../src/errors/diagnostic.js';
import { parseTemplate } from '../../../src/template/parse.js';
import { ROOT, codes, diagnosticsOf, parse } from '../compile/memory-project.js';

const model = (files: Record<string, string>, name: string): ModelNode => {
  const p = parse(files);
  expect(p.diagnostics).toEqual([]);
  const m = p.models.get(name);
  if (!m) throw new Error(`no model ${name}`);
  return m;
};

const PROJECT = `name: proj
models:
  materialized: table
  +tags: [all]
  +pre_hook: "select 'root'"
  staging:
    +materialized: view
    +schema: stg
    +tags: [staging]
    +pre_hook: ["select 'staging'"]
    deep:
      +alias: deep_alias
      +tags: deep
`;

describe('config precedence', () => {
  it('defaults: a view in the target schema, no tags, enabled', () => {
    const m = model({ 'models/a.sql': 'select 1' }, 'a');
    expect(m.config).toEqual({
      materialized: 'view',
      tags: [],
      enabled: true,
      unique_key: [],
      incremental_strategy: 'append',
      on_schema_change: 'ignore',
      format: 'parquet',
      partition_by: [],
      options: {},
      pre_hook: [],
      post_hook: [],
      meta: {},
    });
    expect(m.mat).toEqual({ kind: 'view' });
  });

  it('folder defaults apply by folder, the deepest folder last', () => {
    const files = { 'etlx.yml': PROJECT, 'models/top.sql': 'select 1', 'models/staging/s.sql': 'select 1', 'models/staging/deep/d.sql': 'select 1' };
    expect(model(files, 'top').config).toMatchObject({ materialized: 'table', tags: ['all'], pre_hook: ["select 'root'"] });
    expect(model(files, 's').config).toMatchObject({ materialized: 'view', schema: 'stg', tags: ['all', 'staging'] });
    expect(model(files, 'd').config).toMatchObject({ materialized: 'view', schema: 'stg', alias: 'deep_alias', tags: ['all', 'staging', 'deep'] });
  });

  it('tags and hooks add up from folder to properties to {{config}}; other keys override', () => {
    const files = {
      'etlx.yml': PROJECT,
      'models/staging/s.sql': '{{config materialized="table" tags="from_sql, all" pre_hook="select \'sql\'"}}\nselect 1',
      'models/staging/props.yml': 'models:\n  - name: s\n    config:\n      materialized: incremental\n      schema: props_schema\n      tags: [from_props]\n      pre_hook: "select \'props\'"\n      post_hook: ["select \'post\'"]\n',
    };
    const m = model(files, 's');
    expect(m.config.materialized).toBe('table');
    expect(m.config.schema).toBe('props_schema');
    expect(m.config.tags).toEqual(['all', 'staging', 'from_props', 'from_sql']);
    expect(m.config.pre_hook).toEqual(["select 'root'", "select 'staging'", "select 'props'", "select 'sql'"]);
    expect(m.config.post_hook).toEqual(["select 'post'"]);
    expect(m.tags).toEqual(m.config.tags);
  });

  it('a properties file overrides the folder; {{config}} overrides both', () => {
    const base = { 'etlx.yml': 'name: proj\nmodels:\n  +materialized: table\n  +schema: folder\n', 'models/a.sql': 'select 1' };
    expect(model(base, 'a').config).toMatchObject({ materialized: 'table', schema: 'folder' });
    const withProps = { ...base, 'models/a.yml': 'models:\n  - name: a\n    config: {schema: props}\n' };
    expect(model(withProps, 'a').config).toMatchObject({ materialized: 'table', schema: 'props' });
    const withSql = { ...withProps, 'models/a.sql': '{{config schema="sql"}}select 1' };
    expect(model(withSql, 'a').config).toMatchObject({ materialized: 'table', schema: 'sql' });
  });

  it('a model-named key in folder config configures that one model', () => {
    const files = { 'etlx.yml': 'name: proj\nmodels:\n  staging:\n    special:\n      +materialized: table\n', 'models/staging/special.sql': 'select 1', 'models/staging/other.sql': 'select 1' };
    expect(model(files, 'special').config.materialized).toBe('table');
    expect(model(files, 'other').config.materialized).toBe('view');
  });

  it('options and meta merge key by key', () => {
    expect(mergeLayers([{ options: { a: 1, b: 2 }, meta: { owner: 'x' } }, { options: { b: 3 } }])).toEqual({ options: { a: 1, b: 3 }, meta: { owner: 'x' } });
  });

  it('duplicate tags are kept once; comma strings and lists both count', () => {
    expect(resolveModelConfig([{ tags: 'a, b' }, { tags: ['b', 'c'] }, { tags: 'a' }]).tags).toEqual(['a', 'b', 'c']);
  });

  it('a unique_key picks the merge strategy unless one is given', () => {
    expect(resolveModelConfig([{ unique_key: 'id, day' }])).toMatchObject({ unique_key: ['id', 'day'], incremental_strategy: 'merge' });
    expect(resolveModelConfig([{ unique_key: 'id', incremental_strategy: 'delete+insert' }]).incremental_strategy).toBe('delete+insert');
    expect(resolveModelConfig([{}]).incremental_strategy).toBe('append');
  });

  it('a file model takes its format from the location extension', () => {
    expect(resolveModelConfig([{ materialized: 'file', location: 'out/x.csv' }]).format).toBe('csv');
    expect(resolveModelConfig([{ materialized: 'file', location: 'out/x.json' }]).format).toBe('json');
    expect(resolveModelConfig([{ materialized: 'file', location: 'out/dir' }]).format).toBe('parquet');
    expect(resolveModelConfig([{ materialized: 'file', location: 'out/x.csv', format: 'parquet' }]).format).toBe('parquet');
  });

  it('seed and test configs get their defaults', () => {
    expect(resolveSeedConfig([{ tags: ['a'] }, { column_types: { id: 'integer' } }])).toEqual({
      tags: ['a'],
      enabled: true,
      column_types: { id: 'integer' },
      header: true,
      pre_hook: [],
      post_hook: [],
    });
    expect(resolveTestConfig({})).toEqual({ severity: 'error', warn_if: '!= 0', error_if: '!= 0', store_failures: false, enabled: true, tags: [] });
    expect(resolveTestConfig({ severity: 'warn', tags: 'a,b', where: 'x > 1', limit: 5 })).toMatchObject({ severity: 'warn', tags: ['a', 'b'], where: 'x > 1', limit: 5 });
  });
});

describe('materialization checks', () => {
  const problems = (files: Record<string, string>) => diagnosticsOf(files).filter((d) => d.code === 'E_CONFIG_VALUE');

  it('json + partition_by is a config error at the {{config}} call', () => {
    const d = problems({ 'models/exp.sql': '-- export\n{{config materialized="file" format="json" partition_by="day"}}\nselect 1 as day' });
    expect(d).toEqual([
      {
        code: 'E_CONFIG_VALUE',
        message: 'model exp: format "json" cannot be written with partition_by (DuckDB cannot partition JSON)',
        file: 'models/exp.sql',
        line: 2,
        column: 1,
        hint: 'use format="parquet" or "csv" for a partitioned export, or drop partition_by',
      },
    ]);
  });

  it('json + partition_by from a properties file is also caught', () => {
    const d = problems({ 'models/exp.sql': 'select 1 as day', 'models/p.yml': 'models:\n  - name: exp\n    config: {materialized: file, location: out/x.json, partition_by: [day]}\n' });
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toContain('format "json" cannot be written with partition_by');
  });

  it('merge (or delete+insert) without unique_key is an error; append is fine', () => {
    const d = problems({ 'models/inc.sql': '{{config materialized="incremental" incremental_strategy="merge"}}\nselect 1' });
    expect(d).toMatchObject([{ message: 'model inc: incremental_strategy "merge" needs a unique_key', file: 'models/inc.sql', line: 1 }]);
    expect(problems({ 'models/inc.sql': '{{config materialized="incremental" incremental_strategy="delete+insert"}}select 1' })).toHaveLength(1);
    expect(problems({ 'models/inc.sql': '{{config materialized="incremental"}}select 1' })).toEqual([]);
  });

  it('the incremental spec carries key, strategy, schema-change mode and full-refresh protection', () => {
    const m = model({ 'models/inc.sql': '{{config materialized="incremental" unique_key="id,day" on_schema_change="append_new_columns" full_refresh=false}}select 1' }, 'inc');
    expect(m.mat).toEqual({ kind: 'incremental', uniqueKey: ['id', 'day'], strategy: 'merge', onSchemaChange: 'append_new_columns' });
  });

  it('a file model defaults to exports/<name>.<format>, or a directory when partitioned', () => {
    const root = '/p';
    const plain = materializationOf('daily', resolveModelConfig([{ materialized: 'file' }]), root, false);
    expect(plain.spec).toEqual({ kind: 'file', location: path.resolve('/p/exports/daily.parquet'), locationShown: 'exports/daily.parquet', format: 'parquet', partitionBy: [], options: {}, incremental: false });
    const parted = materializationOf('daily', resolveModelConfig([{ materialized: 'file', format: 'csv', partition_by: 'month' }]), root, false);
    expect(parted.spec).toMatchObject({ location: path.resolve('/p/exports/daily'), format: 'csv', partitionBy: ['month'] });
    expect(parted.problems).toEqual([]);
  });

  it('a file model location is resolved against the project root', () => {
    const m = model({ 'models/x.sql': '{{config materialized="file" location="out/x.csv" options=\'{"header": true}\'}}select 1' }, 'x');
    expect(m.mat).toMatchObject({ kind: 'file', location: path.join(ROOT, 'out/x.csv'), locationShown: 'out/x.csv', format: 'csv', options: { header: true } });
  });
});

describe('{{config}} validation', () => {
  const fromSql = (sql: string, kind: 'model' | 'test' = 'model') => {
    const diagnostics: Diagnostic[] = [];
    const out = configFromTemplate(parseTemplate(sql).config, 'models/m.sql', kind, diagnostics);
    return { out, diagnostics };
  };

  it('an unknown key is E_CONFIG_UNKNOWN_KEY at the call with a did-you-mean', () => {
    const r = fromSql('select 1\n  {{config materialised="table"}}');
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ code: 'E_CONFIG_UNKNOWN_KEY', message: 'unknown config key "materialised"; did you mean "materialized"?', file: 'models/m.sql', line: 2, column: 3 }),
    ]);
    expect(r.out).toEqual({});
  });

  it('a bad enum value has a did-you-mean', () => {
    const r = fromSql('{{config materialized="tables"}}');
    expect(r.diagnostics[0]).toMatchObject({ code: 'E_CONFIG_VALUE', message: 'config materialized must be one of "view", "table", "incremental", "ephemeral", "file", not "tables"; did you mean "table"?' });
  });

  it('a wrongly typed value is reported', () => {
    expect(fromSql('{{config enabled="no"}}').diagnostics[0]).toMatchObject({ code: 'E_CONFIG_VALUE', message: expect.stringContaining('config enabled:') });
  });

  it('booleans stay booleans; options and meta may be JSON text; pre-hook is accepted', () => {
    const r = fromSql(`{{config enabled=false options='{"compression": "zstd"}' meta='{"owner": "ana"}' pre-hook="select 1"}}`);
    expect(r.diagnostics).toEqual([]);
    expect(r.out).toEqual({ enabled: false, options: { compression: 'zstd' }, meta: { owner: 'ana' }, pre_hook: 'select 1' });
  });

  it('singular tests take test config keys', () => {
    expect(fromSql('{{config severity="warn" store_failures=true}}', 'test')).toEqual({ out: { severity: 'warn', store_failures: true }, diagnostics: [] });
    expect(fromSql('{{config materialized="table"}}', 'test').diagnostics[0]!.code).toBe('E_CONFIG_UNKNOWN_KEY');
  });

  it('errors from {{config}} reach the project diagnostics with the model file', () => {
    const d = diagnosticsOf({ 'models/a.sql': '{{config tags="x" materialzed="view"}}select 1' });
    expect(codes(d)).toEqual(['E_CONFIG_UNKNOWN_KEY']);
    expect(d[0]).toMatchObject({ file: 'models/a.sql', line: 1, column: 1 });
  });
});

describe('incremental file models', () => {
  const root = '/virtual/proj';
  it('a file model with incremental_strategy append adds files into a directory', () => {
    const r = materializationOf('events', resolveModelConfig([{ materialized: 'file', incremental_strategy: 'append' }]), root, true);
    expect(r.problems).toEqual([]);
    expect(r.spec).toMatchObject({ kind: 'file', incremental: true, locationShown: 'exports/events', format: 'parquet' });
  });
  it('the defaulted strategy leaves a file model a plain rewrite', () => {
    const r = materializationOf('events', resolveModelConfig([{ materialized: 'file' }]), root, false);
    expect(r.spec).toMatchObject({ kind: 'file', incremental: false, locationShown: 'exports/events.parquet' });
  });
  it('another strategy on a file model is a config error', () => {
    const r = materializationOf('events', resolveModelConfig([{ materialized: 'file', incremental_strategy: 'merge', unique_key: 'id' }]), root, true);
    expect(r.problems.map((p) => p.key)).toEqual(['incremental_strategy']);
    expect(r.problems[0]!.message).toMatch(/append/);
  });
});
