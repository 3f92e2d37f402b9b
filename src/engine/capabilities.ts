import type { Target } from '../config/profiles.js';

/**
 * What each engine can promise. The planner refuses what a target's engine cannot do before
 * anything runs (plan/engine-checks.ts); no client library is loaded to know it.
 */
export interface EngineCapabilities {
  /** BEGIN/COMMIT around a node's statements. */
  readonly transactions: boolean;
  /** The whole run in one transaction (--atomic). */
  readonly atomic: boolean;
  /** incremental_strategy "merge". */
  readonly merge: boolean;
  /** File models and sources that read staging files (read_csv, read_parquet). */
  readonly files: boolean;
  /** The compile-time SQL check is DuckDB's parser: it checks DuckDB SQL only. */
  readonly parseCheck: boolean;
  /** Unit tests and snapshots run DuckDB SQL (a private in-memory DuckDB, SCD2 in one transaction). */
  readonly unitTests: boolean;
  readonly snapshots: boolean;
  /** Ephemeral models as CTEs (ClickHouse 18.16 has no subquery CTEs: inlined as subqueries). */
  readonly ctes: boolean;
}

export const ENGINE_CAPABILITIES: { readonly [K in Target['type']]: EngineCapabilities } = {
  duckdb: { transactions: true, atomic: true, merge: true, files: true, parseCheck: true, unitTests: true, snapshots: true, ctes: true },
  clickhouse: { transactions: false, atomic: false, merge: false, files: false, parseCheck: false, unitTests: false, snapshots: false, ctes: false },
};

export function capabilitiesOf(target: Pick<Target, 'type'>): EngineCapabilities {
  return ENGINE_CAPABILITIES[target.type];
}
