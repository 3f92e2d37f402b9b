import path from 'node:path';
import { folderLayers, normaliseConfigKey } from '../config/folder-config.js';
import type { ProjectConfig } from '../config/project-config.js';
import {
  MODEL_CONFIG_KEYS,
  modelConfigSchema,
  SNAPSHOT_CONFIG_KEYS,
  SNAPSHOT_META_COLUMNS,
  snapshotConfigSchema,
  type RawSnapshotConfig,
  testConfigSchema,
  TEST_CONFIG_KEYS,
  toList,
  type RawModelConfig,
  type RawSeedConfig,
  type TestConfig,
} from '../config/schemas.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import type { ConfigUse } from '../template/ir.js';
import type { MaterializationSpec, ModelConfig, ResolvedTestConfig, SeedConfig, SnapshotConfig } from './nodes.js';

// Every config merge of the project happens in this file, so precedence is decided once.

/**
 * A model's config from its layers, lowest precedence first: folder config from etlx.yml
 * (outermost folder first), its properties entry, then `{{config}}` in its SQL.
 * `strategyExplicit`: some layer set incremental_strategy (a file model is then incremental).
 */
export function modelConfigOf(
  project: ProjectConfig,
  folders: readonly string[],
  name: string,
  properties: RawModelConfig | undefined,
  template: readonly ConfigUse[],
  file: string,
  diagnostics: Diagnostic[],
): { config: ModelConfig; strategyExplicit: boolean } {
  const layers: RawModelConfig[] = [
    ...folderLayers(project.models, [...folders, name]),
    properties ?? {},
    configFromTemplate(template, file, 'model', diagnostics) as RawModelConfig,
  ];
  return { config: resolveModelConfig(layers), strategyExplicit: layers.some((l) => l.incremental_strategy !== undefined) };
}

/** A seed's config: folder config from etlx.yml, then its properties entry. */
export function seedConfigOf(project: ProjectConfig, folders: readonly string[], name: string, properties: RawSeedConfig | undefined): SeedConfig {
  return resolveSeedConfig([...folderLayers(project.seeds, [...folders, name]), properties ?? {}]);
}

/**
 * A snapshot's config: its properties entry, then `{{config}}` in its SQL. Returns the problems
 * of missing keys (strategy, unique_key, updated_at or check_cols) as messages for the caller to
 * place; undefined config when the snapshot cannot run.
 */
export function snapshotConfigOf(
  properties: RawSnapshotConfig | undefined,
  template: readonly ConfigUse[],
  file: string,
  diagnostics: Diagnostic[],
): { config?: SnapshotConfig; problems: { message: string; hint: string; key: string }[] } {
  const layers: RawSnapshotConfig[] = [properties ?? {}, configFromTemplate(template, file, 'snapshot', diagnostics) as RawSnapshotConfig];
  const m = mergeLayers(layers) as RawSnapshotConfig & { tags?: string[]; pre_hook?: string[]; post_hook?: string[] };
  const problems: { message: string; hint: string; key: string }[] = [];
  const uniqueKey = toList(m.unique_key);
  if (m.strategy === undefined) problems.push({ key: 'strategy', message: 'a snapshot needs a strategy', hint: 'add {{config strategy="timestamp" updated_at="updated_at"}} or strategy="check" check_cols="all"' });
  if (uniqueKey.length === 0) problems.push({ key: 'unique_key', message: 'a snapshot needs a unique_key', hint: 'add unique_key="id" (or "id,day") to its {{config}}' });
  if (m.strategy === 'timestamp' && m.updated_at === undefined) problems.push({ key: 'updated_at', message: 'the timestamp strategy needs updated_at', hint: 'name the column that changes when a row changes: updated_at="updated_at"' });
  const checkCols = m.check_cols === 'all' || (Array.isArray(m.check_cols) && m.check_cols.length === 1 && m.check_cols[0] === 'all') ? 'all' : toList(m.check_cols);
  if (m.strategy === 'check' && checkCols !== 'all' && checkCols.length === 0) problems.push({ key: 'check_cols', message: 'the check strategy needs check_cols', hint: 'list the columns to compare (check_cols="status,email"), or check_cols="all"' });
  if (problems.length > 0 || m.strategy === undefined) return { problems };
  const names = Object.fromEntries(SNAPSHOT_META_COLUMNS.map((c) => [c, m.snapshot_meta_column_names?.[c] ?? c])) as SnapshotConfig['snapshot_meta_column_names'];
  return {
    problems,
    config: {
      materialized: 'snapshot',
      strategy: m.strategy,
      unique_key: uniqueKey,
      ...(m.updated_at !== undefined ? { updated_at: m.updated_at } : {}),
      check_cols: checkCols,
      hard_deletes: m.hard_deletes ?? 'ignore',
      snapshot_meta_column_names: names,
      ...(m.schema !== undefined ? { schema: m.schema } : {}),
      ...(m.alias !== undefined ? { alias: m.alias } : {}),
      tags: [...new Set(m.tags ?? [])],
      enabled: m.enabled ?? true,
      ...(m.description !== undefined ? { description: m.description } : {}),
      pre_hook: m.pre_hook ?? [],
      post_hook: m.post_hook ?? [],
      meta: m.meta ?? {},
    },
  };
}

/** A singular test's config is its `{{config}}`; a generic test's is its properties entry (resolveTestConfig). */
export function singularTestConfigOf(template: readonly ConfigUse[], file: string, diagnostics: Diagnostic[]): { rawConfig: TestConfig; config: ResolvedTestConfig } {
  const rawConfig = configFromTemplate(template, file, 'test', diagnostics) as TestConfig;
  return { rawConfig, config: resolveTestConfig(rawConfig) };
}

/** Folders between the configured root and the file: models/marts/core/x.sql -> ['marts', 'core']. */
export function foldersOf(file: string, roots: readonly string[]): string[] {
  for (const r of roots) {
    const prefix = `${r.replace(/\/$/, '')}/`;
    if (file.startsWith(prefix)) return file.slice(prefix.length).split('/').slice(0, -1);
  }
  return file.split('/').slice(1, -1);
}

/** Keys whose values add up across layers instead of overriding. */
const ADDITIVE = new Set(['tags', 'pre_hook', 'post_hook']);

/** Merges config layers, lowest precedence first: tags and hooks add up, other keys override. */
export function mergeLayers<C extends Record<string, unknown>>(layers: readonly C[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      if (ADDITIVE.has(k)) {
        const list = k === 'tags' ? toList(v as string | string[]) : typeof v === 'string' ? [v] : (v as string[]);
        out[k] = [...((out[k] as string[] | undefined) ?? []), ...list];
      } else if (k === 'options' || k === 'meta') {
        out[k] = { ...((out[k] as Record<string, unknown> | undefined) ?? {}), ...(v as Record<string, unknown>) };
      } else out[k] = v;
    }
  }
  return out;
}

export function resolveModelConfig(layers: readonly RawModelConfig[]): ModelConfig {
  const m = mergeLayers(layers) as RawModelConfig & { tags?: string[]; pre_hook?: string[]; post_hook?: string[] };
  const uniqueKey = toList(m.unique_key);
  const location = m.location;
  return {
    materialized: m.materialized ?? 'view',
    ...(m.schema !== undefined ? { schema: m.schema } : {}),
    ...(m.alias !== undefined ? { alias: m.alias } : {}),
    tags: [...new Set(m.tags ?? [])],
    enabled: m.enabled ?? true,
    ...(m.description !== undefined ? { description: m.description } : {}),
    unique_key: uniqueKey,
    incremental_strategy: m.incremental_strategy ?? (uniqueKey.length > 0 ? 'merge' : 'append'),
    on_schema_change: m.on_schema_change ?? 'ignore',
    ...(m.full_refresh !== undefined ? { full_refresh: m.full_refresh } : {}),
    ...(location !== undefined ? { location } : {}),
    ...(m.allow_outside_project !== undefined ? { allow_outside_project: m.allow_outside_project } : {}),
    format: m.format ?? formatFromLocation(location) ?? 'parquet',
    partition_by: toList(m.partition_by),
    options: m.options ?? {},
    pre_hook: m.pre_hook ?? [],
    post_hook: m.post_hook ?? [],
    meta: m.meta ?? {},
    ...retryConfig(m),
    ...clickhouseConfig(m),
  };
}

/** The ClickHouse table keys only when set, so other projects' manifests are unchanged. */
function clickhouseConfig(m: RawModelConfig): Pick<ModelConfig, 'engine' | 'order_by' | 'primary_key' | 'settings' | 'sharding_key'> {
  return {
    ...(m.engine !== undefined ? { engine: m.engine } : {}),
    ...(m.order_by !== undefined ? { order_by: toList(m.order_by) } : {}),
    ...(m.primary_key !== undefined ? { primary_key: toList(m.primary_key) } : {}),
    ...(m.settings !== undefined ? { settings: m.settings } : {}),
    ...(m.sharding_key !== undefined ? { sharding_key: m.sharding_key } : {}),
  };
}

/** `retries` / `retry_delay` only when set, so the manifest of a project without them is unchanged. */
function retryConfig(m: { retries?: number; retry_delay?: string | number }): { retries?: number; retry_delay?: string } {
  return {
    ...(m.retries !== undefined ? { retries: m.retries } : {}),
    ...(m.retry_delay !== undefined ? { retry_delay: String(m.retry_delay) } : {}),
  };
}

function formatFromLocation(location: string | undefined): 'parquet' | 'csv' | 'json' | undefined {
  const ext = location ? path.extname(location).toLowerCase() : '';
  return ext === '.csv' ? 'csv' : ext === '.json' || ext === '.ndjson' ? 'json' : ext === '.parquet' ? 'parquet' : undefined;
}

/**
 * The materialization-specific view of a config, with cross-key checks. Problems are returned as
 * messages; the caller attaches the file and line.
 */
export function materializationOf(
  name: string,
  config: ModelConfig,
  projectRoot: string,
  /** incremental_strategy was set in some layer (not defaulted): makes a file model incremental. */
  strategyExplicit: boolean,
): { spec?: MaterializationSpec; problems: { message: string; hint: string; key: string }[] } {
  const problems: { message: string; hint: string; key: string }[] = [];
  switch (config.materialized) {
    case 'view':
    case 'table':
    case 'ephemeral':
      return { spec: { kind: config.materialized }, problems };
    case 'incremental': {
      if (config.incremental_strategy !== 'append' && config.unique_key.length === 0) {
        problems.push({
          key: 'unique_key',
          message: `incremental_strategy "${config.incremental_strategy}" needs a unique_key`,
          hint: 'set unique_key="id" (or "id,day"), or use incremental_strategy="append"',
        });
      }
      return {
        spec: {
          kind: 'incremental',
          uniqueKey: config.unique_key,
          strategy: config.incremental_strategy,
          onSchemaChange: config.on_schema_change,
        },
        problems,
      };
    }
    case 'file': {
      const partitioned = config.partition_by.length > 0;
      const incrementalFile = strategyExplicit;
      if (strategyExplicit && config.incremental_strategy !== 'append') {
        problems.push({
          key: 'incremental_strategy',
          message: `file models add files with incremental_strategy "append"; "${config.incremental_strategy}" needs a table`,
          hint: 'use incremental_strategy="append" to add a file per run, or materialized="incremental" for keyed updates',
        });
      }
      if (config.format === 'json' && partitioned) {
        problems.push({
          key: 'partition_by',
          message: 'format "json" cannot be written with partition_by (DuckDB cannot partition JSON)',
          hint: 'use format="parquet" or "csv" for a partitioned export, or drop partition_by',
        });
      }
      const shown = config.location ?? (partitioned || incrementalFile ? `exports/${name}` : `exports/${name}.${config.format}`);
      return {
        spec: {
          kind: 'file',
          location: path.resolve(projectRoot, shown),
          locationShown: shown,
          format: config.format,
          partitionBy: config.partition_by,
          options: config.options,
          incremental: incrementalFile,
        },
        problems,
      };
    }
    default: {
      const never: never = config.materialized;
      throw new Error(`unknown materialization ${String(never)}`);
    }
  }
}

export function resolveSeedConfig(layers: readonly RawSeedConfig[]): SeedConfig {
  const m = mergeLayers(layers) as RawSeedConfig & { tags?: string[]; pre_hook?: string[]; post_hook?: string[] };
  return {
    ...(m.schema !== undefined ? { schema: m.schema } : {}),
    ...(m.alias !== undefined ? { alias: m.alias } : {}),
    tags: [...new Set(m.tags ?? [])],
    enabled: m.enabled ?? true,
    column_types: m.column_types ?? {},
    ...(m.delimiter !== undefined ? { delimiter: m.delimiter } : {}),
    header: m.header ?? true,
    pre_hook: m.pre_hook ?? [],
    post_hook: m.post_hook ?? [],
    ...(m.full_refresh !== undefined ? { full_refresh: m.full_refresh } : {}),
    ...retryConfig(m),
    ...(m.sharding_key !== undefined ? { sharding_key: m.sharding_key } : {}),
  };
}

export function resolveTestConfig(c: TestConfig): ResolvedTestConfig {
  return {
    severity: c.severity ?? 'error',
    warn_if: c.warn_if ?? '!= 0',
    error_if: c.error_if ?? '!= 0',
    store_failures: c.store_failures ?? false,
    enabled: c.enabled ?? true,
    tags: toList(c.tags),
    ...(c.where !== undefined ? { where: c.where } : {}),
    ...(c.limit !== undefined ? { limit: c.limit } : {}),
  };
}

/**
 * `{{config ...}}` pairs from a template, validated like YAML config. Errors point at the
 * `{{config}}` call in the file.
 */
export function configFromTemplate(
  uses: readonly ConfigUse[],
  file: string,
  kind: 'model' | 'test' | 'snapshot',
  diagnostics: Diagnostic[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const schema = kind === 'model' ? modelConfigSchema : kind === 'snapshot' ? snapshotConfigSchema : testConfigSchema;
  const known = kind === 'model' ? MODEL_CONFIG_KEYS : kind === 'snapshot' ? SNAPSHOT_CONFIG_KEYS : TEST_CONFIG_KEYS;
  for (const use of uses) {
    const key = normaliseConfigKey(use.key);
    const where = { file, line: use.line, column: use.col };
    if (!known.includes(key)) {
      const guess = closest(key, known);
      diagnostics.push({
        code: 'E_CONFIG_UNKNOWN_KEY',
        message: `unknown config key "${use.key}"${guess ? `; did you mean "${guess}"?` : ''}`,
        ...where,
        hint: `valid keys: ${[...known].sort().join(', ')}`,
      });
      continue;
    }
    const value = key === 'options' || key === 'meta' || key === 'docs' || key === 'snapshot_meta_column_names' ? parseJsonValue(use.value) : use.value;
    const r = schema.safeParse({ [key]: value });
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const values = (issue as { values?: unknown[] }).values?.map(String);
      const guess = values && typeof use.value === 'string' ? closest(use.value, values) : undefined;
      diagnostics.push({
        code: 'E_CONFIG_VALUE',
        message: values
          ? `config ${key} must be one of ${values.map((v) => `"${v}"`).join(', ')}, not ${JSON.stringify(use.value)}${guess ? `; did you mean "${guess}"?` : ''}`
          : `config ${key}: ${issue.message}`,
        ...where,
        hint: values ? `use one of: ${values.join(', ')}` : `check the value of ${key}`,
      });
      continue;
    }
    out[key] = (r.data as Record<string, unknown>)[key];
  }
  return out;
}

function parseJsonValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
