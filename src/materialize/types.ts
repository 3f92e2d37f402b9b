import type { CompiledNode } from '../compile/compile.js';
import type { Row } from '../engine/engine.js';
import type { Diagnostic } from '../errors/diagnostic.js';

/** One SQL statement of a node's work, with why it is there. */
export interface Statement {
  readonly sql: string;
  readonly purpose: 'hook' | 'drop' | 'create' | 'stage' | 'check' | 'alter' | 'delete' | 'insert' | 'merge' | 'copy' | 'cleanup';
  /** The statement's row count is the node's rows_affected. */
  readonly countsRows?: boolean;
}

/**
 * A node's work as data. The runner executes `statements` in order; when `transactional`, inside
 * BEGIN/COMMIT (or inside the run's single transaction under --atomic).
 */
export interface StatementPlan {
  readonly statements: readonly Statement[];
  readonly transactional: boolean;
}

/** What the warehouse already holds under a name. */
export type ExistingRelation = { readonly type: 'table' | 'view' } | undefined;

export interface Column {
  readonly name: string;
  readonly type: string;
}

/**
 * The narrow view of the warehouse a materialization works through. The run implements it over
 * an engine connection (recording statements, honouring --atomic and the stop signal); golden
 * tests implement it with a scripted fake that records the statement sequence.
 */
export interface Warehouse {
  /** Runs one statement; returns its row count when the engine reports one. */
  execute(statement: Statement): Promise<number | undefined>;
  /** Runs a query and returns its rows; `record` adds it to the node's executed statements. */
  query(sql: string, record?: boolean): Promise<Row[]>;
  /** Columns of a relation in order: `schema` null with `temp` means a connection-local temp table. */
  columns(schema: string | null, name: string, temp?: boolean): Promise<Column[]>;
  /** What the warehouse held under this name when the run started. */
  exists(schema: string, name: string): ExistingRelation;
  /** Runs `work` in one transaction (or inside the run's own one under --atomic). */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** True under --atomic: the whole run is one transaction, so a node must not clean up on its own. */
  readonly inRunTransaction: boolean;
  /** Server engines (ClickHouse): what their kinds need beyond SQL on one connection. */
  readonly server?: ServerWarehouse;
}

/** A ClickHouse target as its materializations see it (materialize/clickhouse/). */
export interface ServerWarehouse {
  /** A sharded target: the cluster's name; DDL then goes to every shard. */
  readonly cluster?: string;
  /** Runs a statement on every shard (one server: the server). */
  everywhere(statement: Statement): Promise<void>;
  /** Runs a query on every shard (one server: the server), rows per shard. */
  queryEverywhere(sql: string): Promise<Row[][]>;
  /**
   * Reads `sql` (a seed's CSV reader) in a private in-memory DuckDB and writes its rows as a CSV
   * the server parses (booleans as 0/1, timestamps to the second, NULL as \N): the rows never
   * become JS objects. `prepare` gives the SELECT list that writes each column.
   */
  stageCsv(sql: string, prepare: (columns: readonly LocalColumn[]) => string): Promise<StagedCsv>;
  /** Streams a staged CSV (with its header line) into `table` (`db.name`) through the client. */
  insertCsv(table: string, file: string): Promise<void>;
}

/** A column as DuckDB read it, and whether any of its values is NULL. */
export interface LocalColumn extends Column {
  readonly nullable: boolean;
}

/** A CSV written for the server, in a temp folder that `discard` removes. */
export interface StagedCsv {
  readonly columns: readonly LocalColumn[];
  readonly file: string;
  discard(): void;
}

/** The file system side of file models: staging folders and moves into place. */
export interface OutputFiles {
  /** Where this run stages the output for `final`: outside the folder that holds the dataset. */
  stagingPath(final: string, stagingId: string): string;
  hasFiles(dir: string): boolean;
  prepareStaging(staging: string, asFolder: boolean): void;
  discard(staging: string): void;
  commit(mode: 'replace' | 'add', final: string, staging: string): void;
}

/** Everything a materialization needs to decide and act for one node. */
export interface NodeWork<N> {
  readonly node: N;
  readonly compiled: CompiledNode | undefined;
  /** The node's relation as SQL (quoted); empty for tests. */
  readonly relation: string;
  /** Schema and identifier of a warehouse relation (views, tables, incrementals, seeds). */
  readonly target?: { readonly schema: string; readonly identifier: string };
  /** --full-refresh applies to this node (its config did not say full_refresh: false). */
  readonly fullRefresh: boolean;
  readonly files: OutputFiles;
  /** Unique per run, sortable: names the files an incremental file model adds. */
  readonly runTag: string;
  /** Short id of this invocation: names its staging outputs. */
  readonly stagingId: string;
  /** File models: the table or view this model built before it became a file model, to drop once the file is written. */
  readonly formerRelation?: { readonly relation: string; readonly type: 'table' | 'view' };
  /** Tests: the relation a row-count test reads (row_count_change stores it in history). */
  readonly testedRelation?: string;
  /** Unit tests: their private database, the renderer and what is known of each input. */
  readonly unitTests?: UnitTestSupport;
}

/** A private in-memory database: one per unit test, never the warehouse. */
export interface ScratchDatabase {
  execute(sql: string): Promise<void>;
  query(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

/** An input a model reads, as a unit test sees it: where its columns can be learnt. */
export interface UnitTestInput {
  readonly id: string;
  /** `ref:<name>` or `source:<source>.<table>`: what a given `input:` is matched by. */
  readonly key: string;
  /** As a test writes it: `ref('x')`, `source('a', 'b')`. */
  readonly shown: string;
  /** A relation the warehouse may hold (models, seeds, snapshots, table sources). */
  readonly warehouse?: { readonly schema: string; readonly identifier: string };
  /** A reader that has the columns without the warehouse: a seed's CSV, a source's files. */
  readonly reader?: string;
  /** An upstream model: its columns come from its SQL over its own empty inputs. */
  readonly model?: boolean;
}

/** What a unit test needs from the run besides the warehouse's catalog. */
export interface UnitTestSupport {
  openScratch(): Promise<ScratchDatabase>;
  /**
   * A model's SELECT with each ref/source/self rendered as `relationFor` says (undefined: as
   * usual), with the test's vars, env and is_incremental. A render error is a NodeFailure.
   */
  render(modelId: string, relationFor: (id: string) => string | undefined, o: { readonly isIncremental: boolean; readonly vars: Readonly<Record<string, unknown>>; readonly env: Readonly<Record<string, string>> }): string;
  /** The inputs a model reads through ref and source, by id. */
  inputsOf(modelId: string): readonly UnitTestInput[];
  /** The model's own relation (`this`), when the warehouse may hold it. */
  selfOf(modelId: string): { readonly schema: string; readonly identifier: string } | undefined;
}

/** Rows as text for the reporter (failing rows of a test). */
export interface TextTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface TestOutcome {
  readonly status: 'pass' | 'warn' | 'fail';
  readonly failures: number;
  readonly message?: string;
  readonly sample?: TextTable;
}

export interface KindOutcome {
  readonly rows?: number;
  /** What was done, for the node's OK line ("merged into", "appended to"); the kind's default verb when absent. */
  readonly verb?: string;
  readonly test?: TestOutcome;
  /** Things the user should know that did not fail the node (a lossy cast): warn events. */
  readonly warnings?: readonly string[];
}

/** One materialization kind: decides from the node and the relation's state, acts through the Warehouse. */
export interface Materialization<N> {
  run(work: NodeWork<N>, wh: Warehouse): Promise<KindOutcome>;
}

/**
 * A node's own failure (not an engine error): the message, and how to fix it. The runner turns
 * it into the node's Diagnostic.
 */
export class NodeFailure extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

export function stmt(sql: string, purpose: Statement['purpose'], countsRows = false): Statement {
  return countsRows ? { sql, purpose, countsRows } : { sql, purpose };
}

export function hooks(list: readonly string[]): Statement[] {
  return list.map((sql) => stmt(sql, 'hook'));
}

/** Executes a plan's statements in order (in one transaction when it asks); returns the counted rows. */
export async function executePlan(wh: Warehouse, plan: StatementPlan): Promise<number | undefined> {
  const all = async () => {
    let rows: number | undefined;
    for (const st of plan.statements) {
      const r = await wh.execute(st);
      if (st.countsRows) rows = r;
    }
    return rows;
  };
  return plan.transactional ? wh.transaction(all) : all();
}

/**
 * View and table: replace the model's relation from its SELECT, with what the warehouse holds
 * under that name deciding the statements.
 */
export async function replaceRelation(
  work: NodeWork<unknown>,
  wh: Warehouse,
  plan: (relation: string, sql: string, existing: ExistingRelation, pre: readonly string[], post: readonly string[]) => StatementPlan,
): Promise<KindOutcome> {
  const { pre, post } = hooksOf(work);
  const existing = wh.exists(work.target!.schema, work.target!.identifier);
  const rows = await executePlan(wh, plan(work.relation, work.compiled!.sql, existing, pre, post));
  return rows === undefined ? {} : { rows };
}

/** The node's rendered hooks (compile renders them like the model, so {{self}} works). */
export function hooksOf(work: NodeWork<unknown>): { pre: readonly string[]; post: readonly string[] } {
  return { pre: work.compiled?.preHooks ?? [], post: work.compiled?.postHooks ?? [] };
}
