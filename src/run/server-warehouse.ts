import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection, Row } from '../engine/engine.js';
import { openScratch } from '../engine/open.js';
import type { LocalColumn, ServerWarehouse, StagedCsv, Statement } from '../materialize/types.js';
import { quoteIdent, quoteLiteral } from '../util/sql.js';
import { StatementFailure } from './errors.js';

/**
 * The server side of a ClickHouse node's Warehouse: statements on every shard (recorded in the
 * node's executed statements like any other), inserts through the client, and DuckDB's CSV
 * reader in a private in-memory database for seeds.
 */
export function serverWarehouse(c: Connection, log: string[], stopped: () => boolean): ServerWarehouse | undefined {
  if (!c.insertCsvFile) return undefined;
  const insertFile = c.insertCsvFile.bind(c);
  const cluster = c.cluster;
  return {
    ...(cluster ? { cluster: cluster.name } : {}),
    async everywhere(st: Statement): Promise<void> {
      log.push(cluster ? `-- on every shard\n${st.sql}` : st.sql);
      if (stopped()) throw new StatementFailure(new Error('interrupted'), st.sql);
      try {
        if (cluster) await cluster.executeOnShards(st.sql);
        else await c.execute(st.sql);
      } catch (e) {
        throw new StatementFailure(e, st.sql);
      }
    },
    async queryEverywhere(sql: string): Promise<Row[][]> {
      return cluster ? cluster.queryOnShards(sql) : [await c.query(sql)];
    },
    async insertCsv(table: string, file: string): Promise<void> {
      log.push(`-- insert into ${table} (CSVWithNames, streamed from a file DuckDB wrote)`);
      await insertFile(table, file);
    },
    stageCsv,
  };
}

/**
 * A seed for a server: DuckDB reads it (the same strict CSV reader as on DuckDB targets) in a
 * private in-memory database, finds which columns hold NULLs, and writes the rows as a CSV in a
 * temp folder, column by column as `prepare` says. Nothing is read into JS but the column list.
 */
async function stageCsv(sql: string, prepare: (columns: readonly LocalColumn[]) => string): Promise<StagedCsv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'etlx-seed-'));
  const discard = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const engine = await openScratch();
    try {
      const db = await engine.connect();
      try {
        await db.execute(`create temp table seed as ${sql}`);
        const described = await db.query('describe seed');
        const names = described.map((r) => String(r.column_name));
        const nulls = names.length === 0 ? {} : (await db.query(`select ${names.map((n, i) => `count(*) - count(${quoteIdent(n)}) as c${i}`).join(', ')} from seed`))[0] ?? {};
        const columns = described.map((r, i) => ({ name: String(r.column_name), type: String(r.column_type), nullable: Number(nulls[`c${i}`] ?? 0) > 0 }));
        const file = path.join(dir, 'seed.csv');
        await db.execute(`copy (select ${prepare(columns)} from seed) to ${quoteLiteral(file)} (format csv, header true, nullstr '\\N')`);
        return { columns, file, discard };
      } finally {
        db.close();
      }
    } finally {
      await engine.close();
    }
  } catch (e) {
    discard();
    throw e;
  }
}
