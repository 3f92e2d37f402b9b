/**
 * Helpers for the integration tests: a temp project writer, the CLI run in-process with its
 * output captured, and queries against the resulting warehouse file with @duckdb/node-api.
 * Nothing here mocks DuckDB.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../../src/cli/main.js';

export type Row = Record<string, unknown>;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, in the order written. */
  readonly output: string;
}

export interface RunResultEntry {
  unique_id: string;
  resource_type: string;
  name: string;
  status: string;
  timing: { started_at?: string; completed_at?: string; elapsed: number };
  rows_affected?: number | null;
  failures?: number | null;
  message?: string | null;
  relation_name?: string;
}

export interface RunResults {
  metadata: { invocation_id: string; command: string; schema_version: string; generated_at: string };
  elapsed: number;
  status: string;
  exit_code: number;
  args: Record<string, unknown>;
  results: RunResultEntry[];
}

/** Runs `etlx <args> --project-dir <dir>` in this process; returns the exit code and the output. */
export async function runCli(dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  let output = '';
  const io = {
    stdout: { write: (s: string) => void ((stdout += s), (output += s)) },
    stderr: { write: (s: string) => void ((stderr += s), (output += s)) },
    // HOME points into the project so no ~/.etlx/profiles.yml of the machine is read.
    env: { HOME: dir, NO_COLOR: '1', PATH: process.env.PATH ?? '', ...env },
  };
  const code = await main([...args, '--project-dir', dir], io);
  return { code, stdout, stderr, output };
}

/** BIGINT and HUGEINT come back as bigint: numbers are easier to compare. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** Opens a DuckDB file, runs one query, closes everything (the file lock is released on return). */
export async function queryFile(file: string, sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(file);
  try {
    const c = await instance.connect();
    try {
      const rows = (await c.runAndReadAll(sql)).getRowObjectsJS();
      return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
    } finally {
      c.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Runs statements in a private in-memory database (e.g. COPY ... TO a staging Parquet file). */
export async function duckdbExec(...sqls: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const c = await instance.connect();
    try {
      for (const sql of sqls) await c.run(sql);
    } finally {
      c.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** SQL string literal. */
export function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A throwaway project in its own temp dir. */
export class TestProject {
  readonly dir: string;
  constructor(
    readonly name = 'proj',
    files: Record<string, string> = {},
    etlxYml?: string,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-'));
    this.write({ 'etlx.yml': etlxYml ?? `name: ${name}\n`, ...files });
  }

  /** The embedded default warehouse `<name>.duckdb`. */
  get db(): string {
    return path.join(this.dir, `${this.name}.duckdb`);
  }

  path(rel: string): string {
    return path.join(this.dir, rel);
  }

  /** Writes files (project-relative paths), creating folders. */
  write(files: Record<string, string>): this {
    for (const [rel, text] of Object.entries(files)) {
      const file = this.path(rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    return this;
  }

  remove(...rels: string[]): this {
    for (const rel of rels) fs.rmSync(this.path(rel), { recursive: true, force: true });
    return this;
  }

  exists(rel: string): boolean {
    return fs.existsSync(this.path(rel));
  }

  read(rel: string): string {
    return fs.readFileSync(this.path(rel), 'utf8');
  }

  /** Writes the result of a query to a project file with DuckDB's COPY (format from the extension unless given). */
  async copyTo(rel: string, selectSql: string, options = ''): Promise<void> {
    const file = this.path(rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const ext = path.extname(rel).slice(1);
    const format = options || (ext === 'parquet' ? 'format parquet' : ext === 'csv' ? 'format csv, header true' : 'format json');
    await duckdbExec(`copy (${selectSql}) to ${lit(file)} (${format})`);
  }

  run(...args: string[]): Promise<CliResult> {
    return runCli(this.dir, args);
  }

  runWithEnv(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
    return runCli(this.dir, args, env);
  }

  query(sql: string): Promise<Row[]> {
    return queryFile(this.db, sql);
  }

  /** Reads files with DuckDB (no warehouse): e.g. `select * from read_parquet(...)`. */
  async queryMemory(sql: string): Promise<Row[]> {
    return queryFile(':memory:', sql);
  }

  runResults(): RunResults {
    return JSON.parse(this.read('target/run_results.json')) as RunResults;
  }

  /** The run_results entry of a node by name (and resource type when names repeat). */
  result(name: string, resourceType?: string): RunResultEntry | undefined {
    return this.runResults().results.find((r) => r.name === name && (resourceType === undefined || r.resource_type === resourceType));
  }

  /** name -> status of the last run. */
  statuses(): Record<string, string> {
    return Object.fromEntries(this.runResults().results.map((r) => [r.name, r.status]));
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Files under a folder, relative and sorted. */
export function listFilesRec(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  if (fs.existsSync(dir)) visit(dir, '');
  return out.sort();
}

/** Relations in the warehouse: `schema.name` -> 'BASE TABLE' | 'VIEW'. */
export async function relations(p: TestProject): Promise<Record<string, string>> {
  const rows = await p.query(`select table_schema as s, table_name as n, table_type as t from information_schema.tables order by all`);
  return Object.fromEntries(rows.map((r) => [`${String(r.s)}.${String(r.n)}`, String(r.t)]));
}

/**
 * The CLI run from source in a child process with a fault point set (ETLX_FAULT), so the test
 * survives the SIGKILL the fault sends: the child's result, to check its signal.
 */
export function runWithFault(dir: string, fault: string, args: readonly string[]): SpawnSyncReturns<string> {
  const repo = path.resolve(import.meta.dirname, '../..');
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `import { main } from ${JSON.stringify(path.join(repo, 'src/cli/main.ts'))}; process.exitCode = await main(process.argv.slice(1));`, ...args, '--project-dir', dir],
    { cwd: repo, env: { ...process.env, ETLX_FAULT: fault, HOME: dir, NO_COLOR: '1' }, encoding: 'utf8' },
  );
}
