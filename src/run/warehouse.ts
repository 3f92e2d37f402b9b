import type { Connection, Row } from '../engine/engine.js';
import { columnsSql } from '../materialize/incremental.js';
import { NodeFailure, type Column, type ExistingRelation, type ServerWarehouse, type Statement, type Warehouse } from '../materialize/types.js';
import { quoteLiteral } from '../util/sql.js';
import { serverWarehouse } from './server-warehouse.js';
import { StatementFailure } from './errors.js';
import type { Faults } from './faults.js';
import type { StopSignal } from './stop-signal.js';

export interface WarehouseOptions {
  /** The relations the warehouse held when the run started, by `relationKey`. */
  readonly relations: ReadonlyMap<string, ExistingRelation>;
  /** --atomic: the run's own transaction is open on this connection. */
  readonly atomic: boolean;
  readonly stop: StopSignal;
  readonly faults: Faults;
  /** The node's name and which try this is (1 first), for the fail-*-attempt fault points. */
  readonly node?: string;
  readonly attempt?: number;
}

export function relationKey(schema: string, name: string): string {
  return `${schema}\u0000${name}`;
}

/**
 * The Warehouse a materialization sees during a run, over one engine connection: it records
 * what the node executed (target/run), stops starting statements after a stop request, fires
 * fault points, and turns BEGIN/COMMIT into no-ops inside --atomic's run-wide transaction.
 */
export class RunWarehouse implements Warehouse {
  readonly inRunTransaction: boolean;
  /** A ClickHouse connection: no transactions, catalog in system.columns, shards and inserts. */
  readonly server: ServerWarehouse | undefined;

  constructor(
    private readonly c: Connection,
    /** Statements the node executed, in order. */
    readonly log: string[],
    private readonly o: WarehouseOptions,
  ) {
    this.inRunTransaction = o.atomic;
    this.server = serverWarehouse(c, log, () => o.stop.requested);
  }

  async execute(st: Statement): Promise<number | undefined> {
    this.log.push(st.sql);
    if (this.o.stop.requested) throw new NodeFailure({ code: 'E_INTERRUPTED', message: 'interrupted' });
    if (st.purpose === 'create') this.o.faults.during('during-create');
    let rows: number | undefined;
    try {
      this.o.faults.failAttempt(this.o.node, this.o.attempt);
      rows = await this.c.execute(st.sql);
    } catch (e) {
      throw new StatementFailure(e, st.sql);
    }
    if (st.purpose === 'create' || st.purpose === 'merge' || st.purpose === 'insert') this.o.faults.at(`after-${st.purpose}`);
    return rows;
  }

  query(sql: string, record = false): Promise<Row[]> {
    if (record) this.log.push(sql);
    return this.c.query(sql);
  }

  async columns(schema: string | null, name: string, temp = false): Promise<Column[]> {
    const sql = this.server
      ? `select name, type from system.columns where database = ${quoteLiteral(schema ?? 'default')} and table = ${quoteLiteral(name)}`
      : columnsSql(schema, name, temp);
    const rows = await this.c.query(sql);
    return rows.map((r) => ({ name: String(r.name), type: String(r.type) }));
  }

  exists(schema: string, name: string): ExistingRelation {
    return this.o.relations.get(relationKey(schema, name));
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    // ClickHouse has no transactions: its kinds build under temporary names and swap instead.
    if (this.o.atomic || this.server) return work();
    this.log.push('begin transaction');
    await this.c.execute('begin transaction');
    try {
      const result = await work();
      this.o.faults.at('before-commit');
      this.log.push('commit');
      await this.c.execute('commit');
      return result;
    } catch (e) {
      await this.c.execute('rollback').catch(() => undefined);
      throw e;
    }
  }
}
