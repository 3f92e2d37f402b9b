import { existsSync } from 'node:fs';
import { shownWarehousePath, type Target } from '../config/profiles.js';
import { EtlxError } from '../errors/diagnostic.js';
import { EngineRegistry as Registry, type Engine, type EngineRegistry, type SqlChecker } from './engine.js';

export interface OpenWarehouseOptions {
  /** Read-only uses (show): a warehouse file that does not exist yet is an error, not created empty. */
  readonly mustExist?: boolean;
}

/**
 * The one place that opens a warehouse for a target. Engines are loaded on use: the DuckDB
 * client costs about 140 ms to import, which commands that never open a database don't pay.
 */
export async function openWarehouse(target: Target, projectRoot: string, registry: EngineRegistry, o: OpenWarehouseOptions = {}): Promise<Engine> {
  const shownPath = shownWarehousePath(target, projectRoot);
  if (o.mustExist && target.path !== ':memory:' && !existsSync(target.path)) {
    throw new EtlxError({
      code: 'E_NOT_BUILT',
      message: `the warehouse ${shownPath} does not exist yet`,
      hint: 'build it first: etlx build (or etlx run)',
    }, 1);
  }
  const { targetSetupSql } = await import('./duckdb/setup.js');
  const setup = targetSetupSql(target);
  const { openDuckDB } = await import('./duckdb/duckdb.js');
  return openDuckDB(registry, target.path, { settings: target.settings, shownPath, setup });
}

/**
 * A private in-memory DuckDB (unit tests): its own instance, so nothing in it is shared with the
 * warehouse or with another test, and closing it frees everything.
 */
export async function openScratch(): Promise<Engine> {
  const { openDuckDB } = await import('./duckdb/duckdb.js');
  return openDuckDB(new Registry(), ':memory:', { settings: { threads: 1 } });
}

/** The compile-time SQL check: DuckDB's parser in a private in-memory database. */
export async function startSqlChecker(): Promise<SqlChecker> {
  const { DuckDBSqlChecker } = await import('./duckdb/sql-check.js');
  return DuckDBSqlChecker.start();
}

/** The engine library's version, for `etlx debug`. */
export async function engineLibraryVersion(): Promise<string> {
  const { duckdbLibraryVersion } = await import('./duckdb/duckdb.js');
  return duckdbLibraryVersion();
}
