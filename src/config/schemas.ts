import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

/**
 * zod schemas for every YAML file etlx reads. Objects are strict: an unknown key is an error with
 * a did-you-mean (see validate.ts). Lists that the contract allows as comma-separated strings
 * stay raw here and are normalised by `toList` when configs are resolved.
 */

// zod compiles a fast path for each object schema with `new Function` on first use: code that V8's
// code cache cannot keep, compiled again by every invocation, for configs that are validated a
// few times. The interpreter gives the same results and costs less CPU here.
z.config({ jitless: true });

export const MATERIALIZATIONS = ['view', 'table', 'incremental', 'ephemeral', 'file'] as const;
export const STRATEGIES = ['append', 'delete+insert', 'merge'] as const;
export const SCHEMA_CHANGE_MODES = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const;
export const FILE_FORMATS = ['parquet', 'csv', 'json'] as const;

export type Materialization = (typeof MATERIALIZATIONS)[number];
export type Strategy = (typeof STRATEGIES)[number];
export type SchemaChangeMode = (typeof SCHEMA_CHANGE_MODES)[number];
export type FileFormat = (typeof FILE_FORMATS)[number];

const stringList = z.union([z.string(), z.array(z.string())]);
const sqlList = z.union([z.string(), z.array(z.string())]);
export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const options = z.record(z.string(), z.unknown());
const meta = z.record(z.string(), z.unknown());
/** Retries of a node whose failure is transient (run/retry.ts); the delay is a duration. */
const retries = z.number().int().min(0).max(10);
const retryDelay = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, 'must be a duration such as 500ms, 30s, 2m or 1h');

export const modelConfigShape = {
  materialized: z.enum(MATERIALIZATIONS),
  schema: z.string().min(1),
  alias: z.string().min(1),
  tags: stringList,
  enabled: z.boolean(),
  description: z.string(),
  unique_key: stringList,
  incremental_strategy: z.enum(STRATEGIES),
  on_schema_change: z.enum(SCHEMA_CHANGE_MODES),
  full_refresh: z.boolean(),
  location: z.string().min(1),
  allow_outside_project: z.boolean(),
  format: z.enum(FILE_FORMATS),
  partition_by: stringList,
  options,
  pre_hook: sqlList,
  post_hook: sqlList,
  meta,
  docs: z.record(z.string(), z.unknown()),
  retries,
  retry_delay: retryDelay,
  // ClickHouse tables (engine/clickhouse): the table engine and its clauses, and the sharding key on a cluster.
  engine: z.string().min(1),
  order_by: stringList,
  primary_key: stringList,
  settings: z.record(z.string(), scalar),
  sharding_key: z.string().min(1),
} as const;

export const modelConfigSchema = z.strictObject(modelConfigShape).partial();
export type RawModelConfig = z.output<typeof modelConfigSchema>;
export const MODEL_CONFIG_KEYS: readonly string[] = Object.keys(modelConfigShape);

export const seedConfigShape = {
  schema: z.string().min(1),
  alias: z.string().min(1),
  tags: stringList,
  enabled: z.boolean(),
  description: z.string(),
  column_types: z.record(z.string(), z.string()),
  delimiter: z.string().length(1),
  header: z.boolean(),
  pre_hook: sqlList,
  post_hook: sqlList,
  meta,
  full_refresh: z.boolean(),
  quote_columns: z.boolean(),
  docs: z.record(z.string(), z.unknown()),
  retries,
  retry_delay: retryDelay,
  // A seed's table on a ClickHouse cluster: rows go to shards by this key (default rand()).
  sharding_key: z.string().min(1),
} as const;
export const seedConfigSchema = z.strictObject(seedConfigShape).partial();
export type RawSeedConfig = z.output<typeof seedConfigSchema>;
export const SEED_CONFIG_KEYS: readonly string[] = Object.keys(seedConfigShape);

/** A warn_if / error_if condition: an operator and a count (`"> 10"`). The runner reads it with this too. */
export const THRESHOLD = /^\s*(>=|<=|!=|==|=|>|<)\s*(\d+)\s*$/;
const threshold = z.string().regex(THRESHOLD, 'must look like "> 10" or "!= 0"');

/** Keys that may sit beside a test's arguments. */
export const testConfigShape = {
  severity: z.enum(['error', 'warn', 'ERROR', 'WARN']).transform((s) => s.toLowerCase() as 'error' | 'warn'),
  warn_if: threshold,
  error_if: threshold,
  store_failures: z.boolean(),
  enabled: z.boolean(),
  tags: stringList,
  where: z.string(),
  limit: z.number().int().positive(),
  name: z.string().min(1),
  description: z.string(),
  meta,
} as const;
export const TEST_CONFIG_KEYS: readonly string[] = Object.keys(testConfigShape);
export const testConfigSchema = z.strictObject(testConfigShape).partial();
export type TestConfig = z.output<typeof testConfigSchema>;

/** A test entry as written: `not_null` or `{accepted_values: {values: [...], severity: warn}}`. */
export const testEntrySchema = z.union([z.string().min(1), z.record(z.string(), z.union([z.record(z.string(), z.unknown()), z.null()]))]);
export type RawTestEntry = z.output<typeof testEntrySchema>;
const testList = z.array(testEntrySchema);

export const columnSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  data_type: z.string().optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
  meta: meta.optional(),
  tags: stringList.optional(),
  quote: z.boolean().optional(),
  constraints: z.array(z.unknown()).optional(),
});
export type RawColumn = z.output<typeof columnSchema>;

export const modelPropertiesSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  config: modelConfigSchema.optional(),
  columns: z.array(columnSchema).optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
  meta: meta.optional(),
  docs: z.record(z.string(), z.unknown()).optional(),
});
export type RawModelProperties = z.output<typeof modelPropertiesSchema>;

export const seedPropertiesSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  config: seedConfigSchema.optional(),
  columns: z.array(columnSchema).optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
  meta: meta.optional(),
  docs: z.record(z.string(), z.unknown()).optional(),
});
export type RawSeedProperties = z.output<typeof seedPropertiesSchema>;

export const SNAPSHOT_STRATEGIES = ['timestamp', 'check'] as const;
export const HARD_DELETES = ['ignore', 'invalidate', 'new_record'] as const;
export type SnapshotStrategy = (typeof SNAPSHOT_STRATEGIES)[number];
export type HardDeletes = (typeof HARD_DELETES)[number];
/** dbt's meta column names, which `snapshot_meta_column_names` renames. */
export const SNAPSHOT_META_COLUMNS = ['dbt_valid_from', 'dbt_valid_to', 'dbt_scd_id', 'dbt_updated_at', 'dbt_is_deleted'] as const;
export type SnapshotMetaColumn = (typeof SNAPSHOT_META_COLUMNS)[number];

/** A snapshot's config keys: dbt's, with `materialized="snapshot"` accepted as dbt users write it. */
export const snapshotConfigShape = {
  materialized: z.literal('snapshot'),
  strategy: z.enum(SNAPSHOT_STRATEGIES),
  unique_key: stringList,
  updated_at: z.string().min(1),
  check_cols: stringList,
  hard_deletes: z.enum(HARD_DELETES),
  snapshot_meta_column_names: z.strictObject(
    Object.fromEntries(SNAPSHOT_META_COLUMNS.map((c) => [c, z.string().min(1)])) as Record<SnapshotMetaColumn, z.ZodString>,
  ).partial(),
  schema: z.string().min(1),
  alias: z.string().min(1),
  tags: stringList,
  enabled: z.boolean(),
  description: z.string(),
  pre_hook: sqlList,
  post_hook: sqlList,
  meta,
  docs: z.record(z.string(), z.unknown()),
} as const;
export const snapshotConfigSchema = z.strictObject(snapshotConfigShape).partial();
export type RawSnapshotConfig = z.output<typeof snapshotConfigSchema>;
export const SNAPSHOT_CONFIG_KEYS: readonly string[] = Object.keys(snapshotConfigShape);

export const snapshotPropertiesSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  config: snapshotConfigSchema.optional(),
  columns: z.array(columnSchema).optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
  meta: meta.optional(),
  docs: z.record(z.string(), z.unknown()).optional(),
});
export type RawSnapshotProperties = z.output<typeof snapshotPropertiesSchema>;

/** A unit test's fixture rows: a list of mappings (dict), or text (csv, sql). */
const fixtureRows = z.union([z.array(z.record(z.string(), z.unknown())), z.string()]);
export const FIXTURE_FORMATS = ['dict', 'csv', 'sql'] as const;
export type FixtureFormat = (typeof FIXTURE_FORMATS)[number];

/** dbt 1.8's `unit_tests:` entry. */
export const unitTestSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_]+$/, 'must be letters, digits and underscores'),
  model: z.string().min(1),
  description: z.string().optional(),
  given: z
    .array(
      z.strictObject({
        input: z.string().min(1),
        rows: fixtureRows.optional(),
        format: z.enum(FIXTURE_FORMATS).optional(),
      }),
    )
    .optional(),
  expect: z.strictObject({ rows: fixtureRows.optional(), format: z.enum(FIXTURE_FORMATS).optional() }),
  overrides: z
    .strictObject({
      vars: z.record(z.string(), z.unknown()).optional(),
      is_incremental: z.boolean().optional(),
      // dbt writes it as a macro override: `macros: {is_incremental: true}`.
      macros: z.strictObject({ is_incremental: z.boolean().optional() }).optional(),
      env_vars: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  config: z.strictObject({ tags: stringList.optional(), enabled: z.boolean().optional(), meta: meta.optional() }).optional(),
  tags: stringList.optional(),
  meta: meta.optional(),
});
export type RawUnitTest = z.output<typeof unitTestSchema>;

const freshnessLimit = z.strictObject({
  count: z.number().int().positive(),
  period: z.enum(['minute', 'hour', 'day']),
});
export const freshnessSchema = z.union([
  z.null(),
  z.strictObject({
    warn_after: freshnessLimit.optional(),
    error_after: freshnessLimit.optional(),
    loaded_at_field: z.string().optional(),
    filter: z.string().optional(),
  }),
]);
export type RawFreshness = z.output<typeof freshnessSchema>;

/** `wait: {timeout: 2h, poll: 1m}`: hold a source's readers until its staging files arrive. */
const sourceWaitSchema = z.strictObject({ timeout: z.union([z.string(), z.number()]).optional(), poll: z.union([z.string(), z.number()]).optional() });
export type RawSourceWait = z.output<typeof sourceWaitSchema>;

export const sourceTableSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  identifier: z.string().min(1).optional(),
  schema: z.string().min(1).optional(),
  location: z.string().min(1).optional(),
  format: z.enum(['parquet', 'csv', 'json', 'ndjson']).optional(),
  options: options.optional(),
  columns: z.array(columnSchema).optional(),
  tests: testList.optional(),
  data_tests: testList.optional(),
  freshness: freshnessSchema.optional(),
  loaded_at_field: z.string().optional(),
  wait: sourceWaitSchema.optional(),
  meta: meta.optional(),
  tags: stringList.optional(),
});
export type RawSourceTable = z.output<typeof sourceTableSchema>;

export const sourceSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  schema: z.string().min(1).optional(),
  database: z.string().optional(),
  loader: z.string().optional(),
  options: options.optional(),
  freshness: freshnessSchema.optional(),
  loaded_at_field: z.string().optional(),
  wait: sourceWaitSchema.optional(),
  meta: meta.optional(),
  tags: stringList.optional(),
  tables: z.array(sourceTableSchema),
});
export type RawSource = z.output<typeof sourceSchema>;

export const propertiesFileSchema = z.strictObject({
  version: z.union([z.number(), z.string()]).optional(),
  models: z.array(modelPropertiesSchema).optional(),
  seeds: z.array(seedPropertiesSchema).optional(),
  sources: z.array(sourceSchema).optional(),
  snapshots: z.array(snapshotPropertiesSchema).optional(),
  unit_tests: z.array(unitTestSchema).optional(),
});
export type RawPropertiesFile = z.output<typeof propertiesFileSchema>;

const pathList = z.union([z.string(), z.array(z.string())]);

/** A run's outcome in one word: on-run-end's `run.status` and `notify`'s `on`. */
export const RUN_STATUS_WORDS = ['success', 'warn', 'error', 'interrupted'] as const;
export type RunStatusWord = (typeof RUN_STATUS_WORDS)[number];

/** One entry of `notify:` in etlx.yml: a webhook or a command (exactly one; checked in project-config.ts). */
export const notifySchema = z.strictObject({
  name: z.string().min(1).optional(),
  on: z.union([z.enum(RUN_STATUS_WORDS), z.array(z.enum(RUN_STATUS_WORDS))]).optional(),
  webhook: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  format: z.enum(['json', 'slack']).optional(),
  command: z.array(z.string().min(1)).min(1).optional(),
});
export type RawNotify = z.output<typeof notifySchema>;

export const projectFileSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and underscores, starting with a letter'),
  version: z.union([z.string(), z.number()]).optional(),
  'config-version': z.number().optional(),
  profile: z.string().min(1).optional(),
  'model-paths': pathList.optional(),
  'seed-paths': pathList.optional(),
  'test-paths': pathList.optional(),
  'macro-paths': pathList.optional(),
  'snapshot-paths': pathList.optional(),
  'target-path': z.string().min(1).optional(),
  'clean-targets': z.array(z.string()).optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  models: z.record(z.string(), z.unknown()).optional(),
  seeds: z.record(z.string(), z.unknown()).optional(),
  'on-run-start': sqlList.optional(),
  'on-run-end': sqlList.optional(),
  notify: z.array(notifySchema).optional(),
});
export type RawProjectFile = z.output<typeof projectFileSchema>;

export const attachSchema = z.strictObject({
  path: z.string().min(1),
  alias: z.string().min(1).optional(),
  read_only: z.boolean().optional(),
  type: z.string().optional(),
});

/**
 * Most models run at once (`threads`, `--threads`). Each is a DuckDB connection with its own
 * memory; far more than any machine has cores only wastes memory, and an absurd value crashed
 * after the warehouse was created.
 */
export const MAX_THREADS = 1024;
export const threadCount = z.number().int().positive().max(MAX_THREADS, `must be at most ${MAX_THREADS} (models run at once)`);

/** A target after its `{{env}}` values are rendered. */
export const targetSchema = z.strictObject({
  type: z.literal('duckdb'),
  path: z.string().min(1).optional(),
  schema: z.string().min(1).optional(),
  threads: threadCount.optional(),
  settings: z.record(z.string(), scalar).optional(),
  attach: z.array(attachSchema).optional(),
  atomic: z.boolean().optional(),
  extensions: z.array(z.string()).optional(),
});
export type RawTarget = z.output<typeof targetSchema>;

/**
 * A target as written: a number or boolean may still be an `{{env ...}}` template. It is checked
 * again with `targetSchema` once rendered.
 */
export const envTemplate = z.string().regex(/\{\{[\s\S]*\}\}/, 'must be a value or an {{env ...}} template');
export const writtenTargetSchema = targetSchema.extend({
  threads: z.union([threadCount, envTemplate]).optional(),
  attach: z.array(attachSchema.extend({ read_only: z.union([z.boolean(), envTemplate]).optional() })).optional(),
  atomic: z.union([z.boolean(), envTemplate]).optional(),
});


/** A profile as written in profiles.yml. */
export const profileSchema = z.strictObject({
  target: z.string().min(1).optional(),
  outputs: z.record(z.string(), writtenTargetSchema),
});
export type RawProfile = z.output<typeof profileSchema>;

/** `"a, b"` or `["a", "b"]` to `["a", "b"]`; the contract's comma-separated list form. */
export function toList(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  const items = typeof v === 'string' ? v.split(',') : v;
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}
