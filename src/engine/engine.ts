/**
 * The narrow interfaces the rest of etlx uses to talk to a database. Only `engine/duckdb/`
 * imports a DuckDB client; `open.ts` is the one place that picks and opens an engine.
 */
export type Row = Readonly<Record<string, unknown>>;

export interface Connection {
  /** Runs one statement; returns the row count the engine reports (CREATE TABLE AS's Count, or rows changed). */
  execute(sql: string): Promise<number | undefined>;
  /** Runs a query and returns its rows as plain JS values (small results only). */
  query(sql: string): Promise<Row[]>;
  /** Asks the engine to stop the running query; it then fails with an interrupt error. */
  interrupt(): void;
  close(): void;
  /** Server engines: a CSV file (header line first) streamed into `table` (`db.name`) through the client (seeds). */
  insertCsvFile?(table: string, file: string): Promise<void>;
  /** A sharded ClickHouse target: DDL goes to every shard's own URL (ON CLUSTER needs ZooKeeper). */
  readonly cluster?: ClusterOps | undefined;
}

export interface ClusterOps {
  /** The cluster's name in the servers' remote_servers (for Distributed tables). */
  readonly name: string;
  readonly shards: number;
  /** Runs one statement on every shard in turn (and on the main URL when it is not one of them). */
  executeOnShards(sql: string): Promise<void>;
  /** A query on every shard, rows per shard. */
  queryOnShards(sql: string): Promise<Row[][]>;
}

export interface Engine {
  readonly version: string;
  readonly path: string;
  connect(): Promise<Connection>;
  close(): Promise<void>;
}

/** One SQL syntax problem: the offset into the checked text, when the parser reports one. */
export interface SqlProblem {
  readonly index: number;
  readonly message: string;
  readonly position?: number;
}

/**
 * Checks rendered SELECTs with the engine's own parser, touching no warehouse. `check` submits
 * its work before returning, so the caller can do other work while the parser runs.
 */
export interface SqlChecker {
  /** Starts opening the parser now, ahead of a check that is expected (optional). */
  warmUp?(): void;
  whenReady(): Promise<void>;
  check(sqls: readonly string[]): Promise<SqlProblem[]>;
  close(): void;
}

/**
 * Open engine instances by database path, owned by one invocation (never module state):
 * opening one DuckDB file twice in a process silently gives two separate databases.
 */
export class EngineRegistry {
  private readonly open = new Map<string, Promise<unknown>>();

  get<T>(key: string): Promise<T> | undefined {
    return this.open.get(key) as Promise<T> | undefined;
  }

  set<T>(key: string, pending: Promise<T>): void {
    this.open.set(key, pending);
  }

  forget(key: string): void {
    this.open.delete(key);
  }
}
