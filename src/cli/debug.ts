import path from 'node:path';
import { checkConnection, engineVersion, ETLX_VERSION, EtlxError, formatDiagnostic, shownWarehousePath } from '../index.js';
import type { RawFlags } from './flags.js';
import type { Invocation } from './invocation.js';

/** Prints project, profile, target and DuckDB facts, then checks the connection. Returns the exit code. */
export async function debugCommand(inv: Invocation, f: RawFlags): Promise<number> {
  const out = (s: string) => inv.io.stdout.write(`${s}\n`);
  const problem = (what: string, e: unknown): number => {
    if (!(e instanceof EtlxError)) throw e;
    out(`${what}: ERROR`);
    for (const d of e.diagnostics) out(`  ${formatDiagnostic(d)}`);
    return 2;
  };
  out(`etlx: ${ETLX_VERSION}`);
  out(`node: ${process.version}`);
  out(`duckdb: ${await engineVersion()}`);
  let s;
  try {
    s = inv.session(f);
  } catch (e) {
    return problem('project', e);
  }
  out(`project: ${s.project.name} (${s.project.root})`);
  out(`  models: ${s.project.models.size}, seeds: ${s.project.seeds.size}, sources: ${s.project.sources.size}, tests: ${s.project.tests.size}, macros: ${s.project.macros.size}`);
  out(`profile: ${s.target.profile} (${s.target.origin === 'embedded default' ? 'embedded default: no profiles.yml defines it' : path.relative(s.project.root, s.target.origin) || s.target.origin})`);
  out(`target: ${s.target.name}, schema ${s.target.schema}, threads ${s.target.threads}`);
  out(`warehouse: ${shownWarehousePath(s.target, s.project.root)}`);
  try {
    out(`connection: OK (${s.target.type === 'clickhouse' ? 'ClickHouse' : 'DuckDB'} ${await checkConnection(s)})`);
  } catch (e) {
    return problem('connection', e);
  }
  out('All checks passed.');
  return 0;
}
