import type { SeedNode } from '../parse/nodes.js';
import { quoteLiteral, sqlValue } from '../util/sql.js';
import { executePlan, hooks, hooksOf, NodeFailure, stmt, type Materialization, type StatementPlan, type Warehouse } from './types.js';

/**
 * read_csv with the dialect spelled out and strict mode on, so a malformed line is an error.
 * `skip=0` pins the header to the first line: without it DuckDB's sniffer may skip rows and take
 * a wider line further down (an extra field on the last line) as the header, reading 0 rows.
 */
export function seedReader(seed: SeedNode, extra: Readonly<Record<string, unknown>> = {}): string {
  const opts: string[] = [
    `header=${seed.config.header ? 'true' : 'false'}`,
    'skip=0',
    `delim=${quoteLiteral(seed.config.delimiter ?? ',')}`,
    `quote='"'`,
    `escape='"'`,
    'strict_mode=true',
    'null_padding=false',
  ];
  const types = seed.config.column_types;
  if (Object.keys(types).length > 0) opts.push(`types=${sqlValue(types)}`);
  for (const [k, v] of Object.entries(extra)) opts.push(`${k}=${sqlValue(v)}`);
  return `read_csv(${quoteLiteral(seed.absPath)}, ${opts.join(', ')})`;
}

/** A seed is a table replaced atomically from its CSV file. */
export function seedPlan(seed: SeedNode, relation: string, pre: readonly string[], post: readonly string[]): StatementPlan {
  return {
    transactional: pre.length + post.length > 0,
    statements: [...hooks(pre), stmt(`create or replace table ${relation} as\nselect * from ${seedReader(seed)}`, 'create', true), ...hooks(post)],
  };
}

/**
 * Run after a failed load to find the first bad line: the same read with store_rejects, whose
 * reject_errors table (temporary, never in a user schema) names the line.
 */
export function seedDiagnosisSql(seed: SeedNode): { scan: string; errors: string } {
  return {
    scan: `select count(*) from ${seedReader(seed, { store_rejects: true })}`,
    errors:
      'select line, column_name, error_type, csv_line, error_message from reject_errors where scan_id = (select max(scan_id) from reject_scans) order by line limit 5',
  };
}

/** A seed is loaded strictly; a failed load is explained with the file and line DuckDB's rejects table names. */
export const seed: Materialization<SeedNode> = {
  async run(work, wh) {
    const { pre, post } = hooksOf(work);
    const s = work.node;
    try {
      // Before the table is replaced: a reader that yields no row from a file with data records
      // is refused (the first chunk decides, so this costs one small read).
      if (Number((await wh.query(seedAnyRowSql(s)))[0]?.n ?? 0) === 0) {
        const records = Number((await wh.query(seedRecordCountSql(s)))[0]?.n ?? 0);
        const data = records - (s.config.header ? 1 : 0);
        if (data > 0) throw new NodeFailure(zeroRowsError(s, data));
      }
      const rows = await executePlan(wh, seedPlan(s, work.relation, pre, post));
      return rows === undefined ? {} : { rows };
    } catch (e) {
      if (e instanceof NodeFailure) throw e;
      throw new NodeFailure(await seedError(s, wh, firstLines(e)));
    }
  },
};

/** 1 when the seed's reader yields at least one row, else 0. */
export function seedAnyRowSql(seed: SeedNode): string {
  return `select count(*) as n from (select 1 from ${seedReader(seed)} limit 1)`;
}

/** The file's records, header included, read by DuckDB with the seed's own dialect. */
export function seedRecordCountSql(seed: SeedNode): string {
  const reader = seedReader({ ...seed, config: { ...seed.config, header: false, column_types: {} } }, { all_varchar: true });
  return `select count(*) as n from ${reader}`;
}

function zeroRowsError(seed: SeedNode, data: number): { code: 'E_SEED_LOAD'; message: string; hint: string; file: string; line: number } {
  return {
    code: 'E_SEED_LOAD',
    message: `${seed.path}:2: read 0 rows from a file with ${data} data record${data === 1 ? '' : 's'}; the table was left as it was`,
    hint: "check the CSV's header (line 1) and delimiter, and column_types in the seed's config",
    file: seed.path,
    line: 2,
  };
}

async function seedError(seed: SeedNode, wh: Warehouse, original: string): Promise<{ code: 'E_SEED_LOAD'; message: string; hint: string; file: string; line?: number }> {
  const d = seedDiagnosisSql(seed);
  try {
    await wh.query(d.scan);
    const rows = await wh.query(d.errors);
    const first = rows[0];
    if (first) {
      return {
        code: 'E_SEED_LOAD',
        message: `${seed.path}:${String(first.line)}: ${String(first.error_type).toLowerCase()}: ${String(first.error_message)}\n  line: ${String(first.csv_line)}`,
        hint: 'fix that line of the CSV (quote fields that contain the delimiter), or set column_types for the seed',
        file: seed.path,
        line: Number(first.line),
      };
    }
  } catch {
    // Fall back to DuckDB's own message.
  }
  const line = /Line: (\d+)/.exec(original);
  return {
    code: 'E_SEED_LOAD',
    message: `${seed.path}${line ? `:${line[1]}` : ''}: ${original}`,
    hint: "check the CSV's header and delimiter, and column_types in the seed's config",
    file: seed.path,
    ...(line ? { line: Number(line[1]) } : {}),
  };
}

/** An engine error's first lines (DuckDB appends context we don't need in a seed message). */
export function firstLines(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').filter((l) => l.trim().length > 0).slice(0, 6).join('\n');
}
