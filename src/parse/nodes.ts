import type { FileFormat, FixtureFormat, HardDeletes, Materialization, SchemaChangeMode, SnapshotMetaColumn, SnapshotStrategy, Strategy, TestConfig } from '../config/schemas.js';
import type { TemplateIR } from '../template/ir.js';

/** Resolved model config: every layer merged and defaults applied. Written to the manifest. */
export interface ModelConfig {
  readonly materialized: Materialization;
  readonly schema?: string;
  readonly alias?: string;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly description?: string;
  readonly unique_key: readonly string[];
  readonly incremental_strategy: Strategy;
  readonly on_schema_change: SchemaChangeMode;
  readonly full_refresh?: boolean;
  readonly location?: string;
  /** A file model may write outside the project folder (etlx then owns that path). */
  readonly allow_outside_project?: boolean;
  readonly format: FileFormat;
  readonly partition_by: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly pre_hook: readonly string[];
  readonly post_hook: readonly string[];
  readonly meta: Readonly<Record<string, unknown>>;
  /** Tries after a transient failure (run/retry.ts), and the wait before each, as written (`30s`). */
  readonly retries?: number;
  readonly retry_delay?: string;
  /** ClickHouse tables: the engine (default MergeTree), ORDER BY (default tuple()), PRIMARY KEY, SETTINGS. */
  readonly engine?: string;
  readonly order_by?: readonly string[];
  readonly primary_key?: readonly string[];
  readonly settings?: Readonly<Record<string, string | number | boolean | null>>;
  /** ClickHouse clusters: the Distributed table's sharding key (default rand()). */
  readonly sharding_key?: string;
}

/** What each materialization needs, as a discriminated union (materialize/ switches on it). */
export type MaterializationSpec =
  | { readonly kind: 'view' }
  | { readonly kind: 'table' }
  | { readonly kind: 'ephemeral' }
  | {
      readonly kind: 'incremental';
      readonly uniqueKey: readonly string[];
      readonly strategy: Strategy;
      readonly onSchemaChange: SchemaChangeMode;
    }
  | {
      readonly kind: 'file';
      /** Absolute path of the output file (unpartitioned) or directory (partitioned). */
      readonly location: string;
      /** As written, relative to the project. */
      readonly locationShown: string;
      readonly format: FileFormat;
      readonly partitionBy: readonly string[];
      readonly options: Readonly<Record<string, unknown>>;
      /** Incremental file models add files instead of rewriting the dataset. */
      readonly incremental: boolean;
    };

export interface ColumnInfo {
  readonly name: string;
  readonly description?: string;
  readonly data_type?: string;
}

interface NodeBase {
  readonly id: string;
  readonly name: string;
  /** Project-relative posix path of the defining file. */
  readonly path: string;
  readonly packageName: string;
  readonly tags: readonly string[];
  readonly description?: string;
  /**
   * Set when a properties value of this node was a template: what state:modified compares
   * instead of the rendered values (the config as written, or a source's location and names as
   * written), so a different target is not a modification.
   */
  readonly unrendered?: Readonly<Record<string, unknown>>;
}

export interface ModelNode extends NodeBase {
  readonly resourceType: 'model';
  readonly absPath: string;
  readonly raw: string;
  readonly checksum: string;
  readonly ir: TemplateIR;
  readonly config: ModelConfig;
  readonly mat: MaterializationSpec;
  /** No layer set incremental_strategy (it was defaulted): engines without merge use append instead. */
  readonly strategyDefaulted?: true;
  readonly columns: readonly ColumnInfo[];
  /** Macro names used, directly or through other macros. */
  readonly macros: readonly string[];
  /** Folders below the model path (for folder config and path: selectors). */
  readonly fqn: readonly string[];
}

export interface SeedConfig {
  readonly schema?: string;
  readonly alias?: string;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly column_types: Readonly<Record<string, string>>;
  readonly delimiter?: string;
  readonly header: boolean;
  readonly pre_hook: readonly string[];
  readonly post_hook: readonly string[];
  readonly full_refresh?: boolean;
  readonly retries?: number;
  readonly retry_delay?: string;
  /** ClickHouse clusters: how the seed's rows are spread over the shards (default `rand()`). */
  readonly sharding_key?: string;
}

export interface SeedNode extends NodeBase {
  readonly resourceType: 'seed';
  readonly absPath: string;
  readonly checksum: string;
  readonly config: SeedConfig;
  readonly columns: readonly ColumnInfo[];
}

export interface Freshness {
  readonly loadedAtField: string;
  readonly warnAfter?: { readonly count: number; readonly period: 'minute' | 'hour' | 'day' };
  readonly errorAfter?: { readonly count: number; readonly period: 'minute' | 'hour' | 'day' };
  readonly filter?: string;
}

export interface SourceNode extends NodeBase {
  readonly resourceType: 'source';
  readonly sourceName: string;
  /** `file`: a reader over staging files; `table`: a relation already in the warehouse. */
  readonly kind: 'file' | 'table';
  readonly location?: string;
  readonly absLocation?: string;
  readonly format?: 'parquet' | 'csv' | 'json' | 'ndjson';
  readonly options: Readonly<Record<string, unknown>>;
  readonly schema?: string;
  readonly identifier: string;
  readonly freshness?: Freshness;
  /** `wait:` in sources.yml: how long its readers wait for missing staging files (else --wait-for-sources), and how often to look (ms). */
  readonly wait?: { readonly timeoutMs?: number; readonly pollMs: number };
  readonly columns: readonly ColumnInfo[];
  readonly line?: number;
}

export type GenericTestKind =
  | 'not_null'
  | 'unique'
  | 'accepted_values'
  | 'relationships'
  | 'expression_is_true'
  | 'row_count'
  | 'row_count_matches'
  | 'row_count_change';

export interface ResolvedTestConfig {
  readonly severity: 'error' | 'warn';
  readonly warn_if: string;
  readonly error_if: string;
  readonly store_failures: boolean;
  readonly enabled: boolean;
  readonly tags: readonly string[];
  readonly where?: string;
  readonly limit?: number;
}

export interface TestNode extends NodeBase {
  readonly resourceType: 'test';
  readonly testType: 'generic' | 'singular';
  /** The generic test's name, 'custom' (tests/generic/<name>.sql: see `custom`), or 'singular'. */
  readonly kind: GenericTestKind | 'custom' | 'singular';
  /** A custom generic test: its name and template file. */
  readonly custom?: { readonly name: string; readonly path: string };
  /** The node the test is declared on (model, seed, snapshot or source). */
  readonly attachedTo?: string;
  readonly column?: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly config: ResolvedTestConfig;
  readonly rawConfig: TestConfig;
  readonly line?: number;
  readonly col?: number;
  /** Other nodes the test reads (relationships `to`, row_count_matches `model`). */
  readonly alsoReads: readonly string[];
  /** Singular and custom generic tests: the template. */
  readonly ir?: TemplateIR;
  readonly checksum: string;
  readonly absPath?: string;
}

/** A snapshot's resolved config: properties entry, then `{{config}}` in its SQL. */
export interface SnapshotConfig {
  readonly materialized: 'snapshot';
  readonly strategy: SnapshotStrategy;
  readonly unique_key: readonly string[];
  readonly updated_at?: string;
  /** Column names, or `all` (every column but the unique key). */
  readonly check_cols: readonly string[] | 'all';
  readonly hard_deletes: HardDeletes;
  /** dbt's meta column names, renamed where the config says so. */
  readonly snapshot_meta_column_names: Readonly<Record<SnapshotMetaColumn, string>>;
  readonly schema?: string;
  readonly alias?: string;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly description?: string;
  readonly pre_hook: readonly string[];
  readonly post_hook: readonly string[];
  readonly meta: Readonly<Record<string, unknown>>;
}

/** `snapshots/<name>.sql`: SCD type 2 history of a mutable source, kept in a table. */
export interface SnapshotNode extends NodeBase {
  readonly resourceType: 'snapshot';
  readonly absPath: string;
  readonly raw: string;
  readonly checksum: string;
  readonly ir: TemplateIR;
  readonly config: SnapshotConfig;
  readonly columns: readonly ColumnInfo[];
  readonly macros: readonly string[];
  readonly fqn: readonly string[];
}

/** What a unit test's `input:` names: a model, seed or snapshot, a source table, or the model itself. */
export type FixtureInput = { readonly ref: string } | { readonly source: string; readonly table: string } | { readonly this: true };

export interface UnitTestFixture {
  /** As written (`ref('stg')`), for messages. */
  readonly input: string;
  readonly target: FixtureInput;
  readonly format: FixtureFormat;
  /** dict: the rows; csv and sql: the text. */
  readonly rows: readonly Readonly<Record<string, unknown>>[] | string;
}

/** dbt 1.8's unit test: fixture rows in, expected rows out, in a private in-memory database. */
export interface UnitTestNode extends NodeBase {
  readonly resourceType: 'unit_test';
  /** The model under test (id). */
  readonly model: string;
  readonly given: readonly UnitTestFixture[];
  readonly expect: Omit<UnitTestFixture, 'target' | 'input'>;
  readonly overrides: {
    readonly vars: Readonly<Record<string, unknown>>;
    readonly isIncremental?: boolean;
    readonly env: Readonly<Record<string, string>>;
  };
  readonly line?: number;
  /** The line of a given's `rows:` (by index) or of `expect`'s, for errors in their SQL. */
  readonly rowsLine?: (at: number | 'expect') => number | undefined;
  readonly checksum: string;
  readonly config: { readonly enabled: boolean; readonly tags: readonly string[]; readonly meta: Readonly<Record<string, unknown>> };
}

export type Node = ModelNode | SeedNode | SourceNode | TestNode | SnapshotNode | UnitTestNode;
export type ResourceType = Node['resourceType'];

/** dbt's unique ids: `<resource type>.<project>.<name>`, sources with their source name too. */
export const idOf = {
  model: (project: string, name: string) => `model.${project}.${name}`,
  seed: (project: string, name: string) => `seed.${project}.${name}`,
  test: (project: string, name: string) => `test.${project}.${name}`,
  source: (project: string, source: string, table: string) => `source.${project}.${source}.${table}`,
  snapshot: (project: string, name: string) => `snapshot.${project}.${name}`,
  unitTest: (project: string, model: string, name: string) => `unit_test.${project}.${model}.${name}`,
};
