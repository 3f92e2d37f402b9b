import type { Connection } from '../engine/engine.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { errorText } from './errors.js';

/**
 * Runs on-run-start / on-run-end hooks in order, stopping at the first failure. A failed hook is
 * a run-time failure (exit 1, results still written), not an internal error: returns it.
 */
export async function runProjectHooks(c: Connection, hooks: readonly string[], what: 'on-run-start' | 'on-run-end'): Promise<Diagnostic | undefined> {
  for (const sql of hooks) {
    try {
      await c.execute(sql);
    } catch (e) {
      return {
        severity: 'error',
        code: 'E_HOOK',
        message: `${what} hook failed: ${errorText(e)}\n  SQL: ${sql}`,
        file: 'etlx.yml',
        hint: what === 'on-run-start' ? `fix the hook under ${what}: in etlx.yml; no node was run` : `fix the hook under ${what}: in etlx.yml; the nodes themselves ran`,
      };
    }
  }
  return undefined;
}
