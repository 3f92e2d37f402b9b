import { existsSync } from 'node:fs';
import { hasHistory, readNodeHistory, readRuns, type NodeHistory, type RunRow } from '../artifacts/history-read.js';
import { hasClickHouseHistory, readClickHouseNodeHistory, readClickHouseRuns } from '../artifacts/history-read-clickhouse.js';
import { openSessionWarehouse } from './open-session-warehouse.js';
import { selectIds } from '../plan/selection.js';
import type { Session } from '../session.js';

export interface HistoryOptions {
  readonly last: number;
  readonly output: 'text' | 'json';
}

export const NO_RUNS = 'no runs recorded yet';

/**
 * `etlx history`: the last runs from etlx_meta, or with --select each selected node's last runs
 * and a trend of its rows. A warehouse that does not exist is not created: it has no history.
 */
export async function historyLines(s: Session, o: HistoryOptions): Promise<string[]> {
  const perNode = s.options.select.length > 0;
  const none = () => (o.output === 'json' ? [JSON.stringify(perNode ? { nodes: [], message: NO_RUNS } : { runs: [], message: NO_RUNS }, null, 2)] : [`${NO_RUNS} in ${s.target.name}'s warehouse: etlx build (or run, seed, test) records each run`]);
  // A server target always exists; a DuckDB file that does not is not created here.
  if (s.target.type === 'duckdb' && (s.target.path === ':memory:' || !existsSync(s.target.path))) return none();
  const engine = await openSessionWarehouse(s);
  try {
    const c = await engine.connect();
    try {
      const ch = s.target.type === 'clickhouse';
      if (!(await (ch ? hasClickHouseHistory(c) : hasHistory(c)))) return none();
      if (!perNode) {
        const runs = await (ch ? readClickHouseRuns : readRuns)(c, o.last);
        return o.output === 'json' ? [JSON.stringify({ runs }, null, 2)] : runsText(runs);
      }
      const ids = [...selectIds(s)].sort();
      const nodes = ids.map((id) => s.project.nodes.get(id)!).map((n) => ({ id: n.id, name: n.name, resourceType: n.resourceType }));
      const history = await (ch ? readClickHouseNodeHistory : readNodeHistory)(c, nodes, o.last);
      return o.output === 'json' ? [JSON.stringify({ nodes: history }, null, 2)] : nodesText(history);
    } finally {
      c.close();
    }
  } finally {
    await engine.close();
  }
}

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
const secs = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)}s`;

function table(rows: readonly (readonly string[])[], right: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

function runsText(runs: readonly RunRow[]): string[] {
  const out = [`Last ${runs.length} run${runs.length === 1 ? '' : 's'}, newest first (times in UTC):`];
  const rows: string[][] = [['started', 'command', 'status', 'duration', 'nodes']];
  const failuresAt = new Map<number, string[]>();
  runs.forEach((r, i) => {
    const counts = Object.entries(r.counts).map(([k, n]) => `${n} ${k}`).join(', ');
    rows.push([when(r.started_at), r.command, r.status, secs(r.elapsed), counts || '0 nodes']);
    failuresAt.set(i + 1, r.failures.map((f) => `    ${f.status === 'fail' ? 'failed test' : 'error'} ${f.name}: ${(f.message ?? '').split('\n')[0]}`));
  });
  table(rows, new Set([3])).forEach((line, i) => {
    out.push(line);
    out.push(...(failuresAt.get(i) ?? []));
  });
  return out;
}

function nodesText(nodes: readonly NodeHistory[]): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    if (out.length > 0) out.push('');
    if (n.runs.length === 0) {
      out.push(`${n.name} (${n.unique_id}): no runs recorded yet`);
      continue;
    }
    const unit = n.resource_type === 'test' ? 'failing' : 'rows';
    out.push(`${n.name} (${n.unique_id})  ${unit} trend, oldest to newest: ${n.trend}`);
    const rows = n.runs.map((r) => ['  ' + when(r.started_at), r.status, r.rows === null ? '-' : `${r.rows.toLocaleString('en-US')} ${r.rows === 1 && unit === 'rows' ? 'row' : unit}`, secs(r.elapsed)]);
    out.push(...table(rows, new Set([2, 3])));
  }
  return out;
}
