/**
 * The narrow interface the rest of etlx uses to talk to a database. `duckdb.ts` implements it
 * and is the only module that imports @duckdb/node-api.
 */
export type Row = Readonly<Record<string, unknown>>;

export interface Connection {
  /** Runs one statement; returns the row count DuckDB reports (CREATE TABLE AS's Count, or rows changed). */
  execute(sql: string): Promise<number | undefined>;
  /** Runs a query and returns its rows as plain JS values (small results only). */
  query(sql: string): Promise<Row[]>;
  /** Asks DuckDB to stop the running query; it then fails with an interrupt error. */
  interrupt(): void;
  close(): void;
}

export interface Engine {
  readonly version: string;
  readonly path: string;
  connect(): Promise<Connection>;
  close(): Promise<void>;
}

/** One SQL syntax problem: the offset into the checked text, when DuckDB reports one. */
export interface SqlProblem {
  readonly index: number;
  readonly message: string;
  readonly position?: number;
}
