import type { Row } from '../../../src/engine/engine.js';
import type { Column, ExistingRelation, OutputFiles, Statement, Warehouse } from '../../../src/materialize/types.js';
import { stagingPath } from '../../../src/materialize/file.js';

/** What the fake warehouse answers: relations that exist, columns, query results, and a statement that fails. */
export interface Script {
  readonly existing?: Readonly<Record<string, 'table' | 'view'>>;
  readonly columns?: Readonly<Record<string, readonly Column[]>>;
  /** The first pattern that matches a query's text gives its rows (none: no rows). */
  readonly answers?: readonly (readonly [RegExp, readonly Row[]])[];
  /** Row counts for executed statements, by pattern (CREATE TABLE AS, COPY, INSERT). */
  readonly counts?: readonly (readonly [RegExp, number])[];
  /** An executed statement matching this fails, as the engine would. */
  readonly failOn?: RegExp;
  readonly inRunTransaction?: boolean;
}

/**
 * A scripted Warehouse that records every call as a line of a transcript: the whole statement
 * sequence a materialization sends, in order, with transactions and the catalog lookups it made.
 */
export class FakeWarehouse implements Warehouse {
  readonly transcript: string[] = [];
  readonly inRunTransaction: boolean;

  constructor(private readonly script: Script) {
    this.inRunTransaction = script.inRunTransaction ?? false;
  }

  async execute(st: Statement): Promise<number | undefined> {
    this.transcript.push(`-- execute (${st.purpose}${st.countsRows ? ', rows_affected' : ''})\n${st.sql};`);
    if (this.script.failOn?.test(st.sql)) {
      this.transcript.push('-- ! the engine rejects it');
      throw new Error(`Conversion Error: scripted failure`);
    }
    return this.script.counts?.find(([re]) => re.test(st.sql))?.[1];
  }

  async query(sql: string, record = false): Promise<Row[]> {
    const rows = this.script.answers?.find(([re]) => re.test(sql))?.[1] ?? [];
    this.transcript.push(`-- query${record ? ' (recorded)' : ''} -> ${rows.length} row${rows.length === 1 ? '' : 's'}\n${sql};`);
    return [...rows];
  }

  async columns(schema: string | null, name: string, temp = false): Promise<Column[]> {
    const key = temp ? `temp.${name}` : `${schema}.${name}`;
    const cols = this.script.columns?.[key] ?? [];
    this.transcript.push(`-- columns of ${key} -> ${cols.map((c) => `${c.name} ${c.type}`).join(', ') || 'none'}`);
    return [...cols];
  }

  exists(schema: string, name: string): ExistingRelation {
    const t = this.script.existing?.[`${schema}.${name}`];
    this.transcript.push(`-- exists ${schema}.${name} -> ${t ?? 'no'}`);
    return t ? { type: t } : undefined;
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inRunTransaction) return work();
    this.transcript.push('-- begin transaction');
    try {
      const r = await work();
      this.transcript.push('-- commit');
      return r;
    } catch (e) {
      this.transcript.push('-- rollback');
      throw e;
    }
  }
}

/** Records the file system steps of a file model instead of touching a disk. */
export class FakeFiles implements OutputFiles {
  constructor(
    private readonly transcript: string[],
    private readonly withFiles: boolean,
  ) {}
  stagingPath(final: string, stagingId: string): string {
    return stagingPath('/project/.etlx-outputs/staging', final, stagingId);
  }
  hasFiles(dir: string): boolean {
    this.transcript.push(`-- files: ${dir} has files -> ${this.withFiles}`);
    return this.withFiles;
  }
  prepareStaging(staging: string, asFolder: boolean): void {
    this.transcript.push(`-- files: prepare ${asFolder ? 'folder' : 'path'} ${staging}`);
  }
  discard(staging: string): void {
    this.transcript.push(`-- files: discard ${staging}`);
  }
  commit(mode: 'replace' | 'add', final: string, staging: string): void {
    this.transcript.push(`-- files: ${mode} ${final} from ${staging}`);
  }
}
