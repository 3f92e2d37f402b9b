import type { Connection, Row } from '../engine/engine.js';
import { openScratch } from '../engine/open.js';
import type { Statement, ServerWarehouse } from '../materialize/types.js';
import { StatementFailure } from './errors.js';

/**
 * The server side of a ClickHouse node's Warehouse: statements on every shard (recorded in the
 * node's executed statements like any other), inserts through the client, and DuckDB's CSV
 * reader in a private in-memory database for seeds.
 */
export function serverWarehouse(c: Connection, log: string[], stopped: () => boolean): ServerWarehouse | undefined {
  if (!c.insertRows) return undefined;
  const insert = c.insertRows.bind(c);
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
    async insertRows(table: string, rows: readonly Row[]): Promise<void> {
      log.push(`-- insert ${rows.length} rows into ${table} (JSONEachRow)`);
      await insert(table, rows);
    },
    async readLocal(sql: string) {
      const engine = await openScratch();
      try {
        const db = await engine.connect();
        try {
          const described = await db.query(`describe ${sql}`);
          const rows = await db.query(sql);
          return { columns: described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })), rows };
        } finally {
          db.close();
        }
      } finally {
        await engine.close();
      }
    },
  };
}
