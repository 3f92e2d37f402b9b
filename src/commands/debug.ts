import path from 'node:path';
import type { Invocation } from '../cli/main.js';
import { targetSetupSql } from '../engine/duckdb/setup.js';
import { duckdbLibraryVersion, openDuckDB } from '../engine/duckdb/duckdb.js';
import { EtlxError, formatDiagnostic } from '../errors/diagnostic.js';
import { shownWarehousePath } from '../config/profiles.js';

/** Prints project, profile, target and DuckDB facts, then checks the connection. Returns the exit code. */
export async function debugCommand(inv: Invocation, f: Parameters<Invocation['session']>[0]): Promise<number> {
  const out = (s: string) => inv.io.stdout.write(`${s}\n`);
  out(`etlx: ${(await import('../version.js')).ETLX_VERSION}`);
  out(`node: ${process.version}`);
  out(`duckdb: ${duckdbLibraryVersion()}`);
  let s;
  try {
    s = inv.session(f);
  } catch (e) {
    if (e instanceof EtlxError) {
      out(`project: ERROR`);
      for (const d of e.diagnostics) out(`  ${formatDiagnostic(d)}`);
      return 2;
    }
    throw e;
  }
  out(`project: ${s.project.name} (${s.project.root})`);
  out(`  models: ${s.project.models.size}, seeds: ${s.project.seeds.size}, sources: ${s.project.sources.size}, tests: ${s.project.tests.size}, macros: ${s.project.macros.size}`);
  out(`profile: ${s.target.profile} (${s.target.origin === 'embedded default' ? 'embedded default: no profiles.yml defines it' : path.relative(s.project.root, s.target.origin) || s.target.origin})`);
  out(`target: ${s.target.name}, schema ${s.target.schema}, threads ${s.target.threads}`);
  out(`warehouse: ${shownWarehousePath(s.target, s.project.root)}`);
  try {
    const engine = await openDuckDB(s.target.path, { settings: s.target.settings, shownPath: shownWarehousePath(s.target, s.project.root), setup: targetSetupSql(s.target) });
    try {
      const c = await engine.connect();
      const rows = await c.query('select version() as v');
      c.close();
      out(`connection: OK (DuckDB ${String(rows[0]?.v)})`);
    } finally {
      await engine.close();
    }
  } catch (e) {
    if (e instanceof EtlxError) {
      out('connection: ERROR');
      for (const d of e.diagnostics) out(`  ${formatDiagnostic(d)}`);
      return 2;
    }
    throw e;
  }
  out('All checks passed.');
  return 0;
}
