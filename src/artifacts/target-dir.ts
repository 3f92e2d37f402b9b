/**
 * What etlx writes at the top of the target folder (target/ by default). `etlx clean` removes a
 * target folder only when everything in it is one of these, so a `target-path` that names a
 * folder holding anything else (models/, a warehouse, a user's files) is never deleted.
 * Anything new that etlx writes under the target folder must be added here.
 */
export const TARGET_OUTPUT_NAMES: ReadonlySet<string> = new Set([
  'manifest.json', // artifacts/manifest.ts via commands/compile.ts
  'run_results.json', // artifacts/run-results.ts
  'catalog.json', // docs generate
  'compiled', // commands/compile.ts: rendered SQL
  'run', // run/runner.ts: statements each node executed
  'logs', // report/reporters.ts: logs/etlx.log
  '.cache', // project/template-cache.ts, project/checksum-cache.ts
  'docs', // docs generate: the static site
]);

/** writeFileAtomic's temporary sibling (`manifest.json.tmp-<pid>`), left if a process died mid-write. */
const ATOMIC_TEMP = /^(.+)\.tmp-\d+$/;

/** Whether a top-level entry of the target folder is etlx's own output. */
export function isTargetOutputName(name: string): boolean {
  if (TARGET_OUTPUT_NAMES.has(name)) return true;
  const temp = ATOMIC_TEMP.exec(name);
  return temp !== null && TARGET_OUTPUT_NAMES.has(temp[1]!);
}
