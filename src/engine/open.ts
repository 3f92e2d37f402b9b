import { existsSync } from 'node:fs';
import { shownWarehousePath, warehouseFile, type Target } from '../config/profiles.js';
import { EtlxError } from '../errors/diagnostic.js';
import { formatDuration } from '../util/duration.js';
import { EngineRegistry as Registry, type Engine, type EngineRegistry, type SqlChecker, type SqlProblem } from './engine.js';

export interface OpenWarehouseOptions {
  /** Read-only uses (show): a warehouse file that does not exist yet is an error, not created empty. */
  readonly mustExist?: boolean;
  /** --lock-timeout: how long to keep trying a warehouse another process holds (ms; default 0). */
  readonly lockTimeoutMs?: number;
  /** Told once, with the holder, when the open starts waiting for the lock. */
  readonly onLockWait?: (message: string) => void;
  /** Checked while waiting: true gives up (a signal). */
  readonly stopped?: () => boolean;
}

/** How often a held warehouse is tried again while waiting for its lock. */
const LOCK_POLL_MS = 250;

/**
 * The one place that opens a warehouse for a target. Engines are loaded on use: the DuckDB
 * client costs about 140 ms to import, which commands that never open a database don't pay.
 */
export async function openWarehouse(target: Target, projectRoot: string, registry: EngineRegistry, o: OpenWarehouseOptions = {}): Promise<Engine> {
  const shownPath = shownWarehousePath(target, projectRoot);
  const file = warehouseFile(target);
  if (o.mustExist && file !== undefined && !existsSync(file)) {
    throw new EtlxError({
      code: 'E_NOT_BUILT',
      message: `the warehouse ${shownPath} does not exist yet`,
      hint: 'build it first: etlx build (or etlx run)',
    }, 1);
  }
  const open = await openerFor(target, shownPath, registry);
  const timeout = o.lockTimeoutMs ?? 0;
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      return await open();
    } catch (e) {
      const locked = e instanceof EtlxError && e.diagnostics[0]?.code === 'E_LOCKED';
      if (!locked) throw e;
      if (o.stopped?.()) throw new EtlxError({ code: 'E_INTERRUPTED', message: 'interrupted while waiting for the warehouse lock' }, 130);
      const waited = Date.now() - started;
      if (waited >= timeout) {
        if (timeout > 0) throw new EtlxError({ ...e.diagnostics[0]!, message: `${e.diagnostics[0]!.message}, still after waiting ${formatDuration(timeout)} (--lock-timeout)` });
        throw e;
      }
      if (!told) {
        told = true;
        o.onLockWait?.(`${e.diagnostics[0]!.message}; waiting up to ${formatDuration(timeout)} for it (--lock-timeout)`);
      }
      await new Promise((r) => setTimeout(r, Math.min(LOCK_POLL_MS, timeout - waited)));
    }
  }
}

/** The engine for the target's type, loaded on use; the open it returns may be retried (a held lock). */
async function openerFor(target: Target, shownPath: string, registry: EngineRegistry): Promise<() => Promise<Engine>> {
  if (target.type === 'clickhouse') {
    const { openClickHouse } = await import('./clickhouse/clickhouse.js');
    return () => openClickHouse(registry, target.clickhouse!, { shown: shownPath, lock: true });
  }
  const { targetSetupSql } = await import('./duckdb/setup.js');
  const setup = targetSetupSql(target);
  const { openDuckDB } = await import('./duckdb/duckdb.js');
  return () => openDuckDB(registry, target.path, { settings: target.settings, shownPath, setup });
}

/**
 * A private in-memory DuckDB (unit tests): its own instance, so nothing in it is shared with the
 * warehouse or with another test, and closing it frees everything.
 */
export async function openScratch(): Promise<Engine> {
  const { openDuckDB } = await import('./duckdb/duckdb.js');
  return openDuckDB(new Registry(), ':memory:', { settings: { threads: 1 } });
}

/**
 * The compile-time SQL check: DuckDB's parser in a private in-memory database, opened only when
 * there is SQL to check. With every statement already checked (target/.cache), `compile` and a
 * run's check never load the native DuckDB library. `warmUp()` opens it ahead of need, while the
 * project renders, when the caller expects a check (no cache yet).
 */
export function startSqlChecker(): SqlChecker {
  return new LazySqlChecker();
}

class LazySqlChecker implements SqlChecker {
  private pending: Promise<SqlChecker> | undefined;
  private started: SqlChecker | undefined;
  private closed = false;

  warmUp(): void {
    if (this.pending || this.closed) return;
    this.pending = import('./duckdb/sql-check.js').then(({ DuckDBSqlChecker }) => {
      const c = DuckDBSqlChecker.start();
      if (this.closed) c.close();
      else this.started = c;
      return c;
    });
    // An unused checker must not raise an unhandled rejection.
    this.pending.catch(() => undefined);
  }

  async whenReady(): Promise<void> {
    if (this.pending) await (await this.pending).whenReady();
  }

  check(sqls: readonly string[]): Promise<SqlProblem[]> {
    if (sqls.length === 0) return Promise.resolve([]);
    // Started and ready: submit now, so the caller's work overlaps DuckDB's parse.
    if (this.started) return this.started.check(sqls);
    this.warmUp();
    return this.pending!.then(async (c) => (await c.whenReady(), c.check(sqls)));
  }

  close(): void {
    this.closed = true;
    this.started?.close();
    this.started = undefined;
  }
}

/** The engine library's version, for `etlx debug`. */
export async function engineLibraryVersion(): Promise<string> {
  const { duckdbLibraryVersion } = await import('./duckdb/duckdb.js');
  return duckdbLibraryVersion();
}
