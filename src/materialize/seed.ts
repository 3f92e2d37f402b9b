import type { SeedNode } from '../parse/nodes.js';
import { quoteLiteral, sqlValue } from '../compile/sql.js';
import { hooks, stmt, type StatementPlan } from './types.js';

/** read_csv with the dialect spelled out and strict mode on, so a malformed line is an error. */
export function seedReader(seed: SeedNode, extra: Readonly<Record<string, unknown>> = {}): string {
  const opts: string[] = [
    `header=${seed.config.header ? 'true' : 'false'}`,
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
