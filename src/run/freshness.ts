import type { NodeResult } from '../artifacts/run-results.js';
import type { SourceNode } from '../parse/nodes.js';
import { sourceRelation } from '../compile/relations.js';
import type { Connection } from '../engine/engine.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { Session } from '../session.js';

const SECONDS = { minute: 60, hour: 3600, day: 86400 } as const;

/** The query for a source's freshness: the newest loaded_at value and its age in seconds. */
export function freshnessSql(src: SourceNode, engine: 'duckdb' | 'clickhouse' = 'duckdb'): string {
  const f = src.freshness!;
  if (engine === 'clickhouse') {
    return `select toString(max(${f.loadedAtField})) as max_loaded_at, toUnixTimestamp(now()) - toUnixTimestamp(toDateTime(max(${f.loadedAtField}))) as age_s from ${sourceRelation(src)}${f.filter ? ` where ${f.filter}` : ''}`;
  }
  return `select max(${f.loadedAtField})::varchar as max_loaded_at, epoch(now()) - epoch(max(${f.loadedAtField})::timestamptz) as age_s from ${sourceRelation(src)}${f.filter ? ` where ${f.filter}` : ''}`;
}

/** Checks one source's freshness: pass, warn past warn_after, error past error_after. */
export async function checkFreshness(s: Session, c: Connection, src: SourceNode, index: number, total: number): Promise<NodeResult> {
  const started = s.runtime.now();
  const f = src.freshness!;
  const description = `freshness of source ${src.sourceName}.${src.name}`;
  s.runtime.reporter.emit({ type: 'node_start', index, total, unique_id: src.id, description });
  let status: NodeResult['status'];
  let message: string;
  let diagnostic: Diagnostic | undefined;
  try {
    const rows = await c.query(freshnessSql(src, s.target.type));
    const age = rows[0]?.age_s === null || rows[0]?.age_s === undefined ? null : Number(rows[0].age_s);
    const limit = (l: { count: number; period: keyof typeof SECONDS } | undefined) => (l ? l.count * SECONDS[l.period] : undefined);
    const errorAfter = limit(f.errorAfter);
    const warnAfter = limit(f.warnAfter);
    if (age === null) {
      status = errorAfter !== undefined ? 'error' : 'warn';
      message = `no rows with ${f.loadedAtField}`;
    } else {
      const shown = `newest ${f.loadedAtField} is ${String(rows[0]!.max_loaded_at)} (${formatAge(age)} old)`;
      if (errorAfter !== undefined && age > errorAfter) {
        status = 'error';
        message = `${shown}, past error_after ${f.errorAfter!.count} ${f.errorAfter!.period}(s)`;
      } else if (warnAfter !== undefined && age > warnAfter) {
        status = 'warn';
        message = `${shown}, past warn_after ${f.warnAfter!.count} ${f.warnAfter!.period}(s)`;
      } else {
        status = 'pass';
        message = shown;
      }
    }
  } catch (e) {
    status = 'error';
    diagnostic = freshnessFailure(src, (e instanceof Error ? e.message : String(e)).split('\n')[0]!);
    message = `${diagnostic.message}\n  hint: ${diagnostic.hint}`;
  }
  const completed = s.runtime.now();
  const elapsed = (completed.getTime() - started.getTime()) / 1000;
  s.runtime.reporter.emit({ type: 'node_end', index, total, unique_id: src.id, resource_type: 'source', status, description, elapsed, message, ...(diagnostic ? { diagnostic } : {}) });
  return {
    unique_id: src.id,
    resource_type: 'source',
    name: src.name,
    status,
    timing: { started_at: started.toISOString(), completed_at: completed.toISOString(), elapsed },
    message,
  };
}

/** A freshness query the engine rejected, pointed at the source's YAML: a missing file, or a bad loaded_at_field. */
export function freshnessFailure(src: SourceNode, engineMessage: string): Diagnostic {
  const where = `${src.path}${src.line !== undefined ? `:${src.line}` : ''}`;
  const f = src.freshness!;
  const noFiles = /no files found|does not exist|cannot open file/i.test(engineMessage) && src.kind === 'file';
  const badField = /column|binder|conversion|cast/i.test(engineMessage);
  return {
    code: 'E_FRESHNESS',
    message: `source ${src.sourceName}.${src.name} (declared in ${where}): freshness cannot be checked: ${engineMessage}`,
    file: src.path,
    ...(src.line !== undefined ? { line: src.line } : {}),
    hint: noFiles
      ? `no staging files match location ${src.location ?? ''}; check that they were delivered, or fix location in ${where}`
      : badField
        ? `check loaded_at_field "${f.loadedAtField}" in ${where}: it must be a column (or expression) of the source that casts to a timestamp`
        : `check the source's location, loaded_at_field and filter in ${where}`,
  };
}

function formatAge(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)} minutes`;
  if (seconds < 86400 * 2) return `${(seconds / 3600).toFixed(1)} hours`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
