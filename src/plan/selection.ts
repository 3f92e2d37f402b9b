import type { ParsedProject } from '../parse/parse-project.js';
import { requireEveryTermMatches, selectNodes, type SelectableNode } from '../graph/selector.js';
import { readPreviousRunResults, type PreviousRunResults } from '../project/previous-run.js';
import type { Session } from '../session.js';
import { modifiedChecker } from './state.js';

/** Nodes as the selector sees them. */
export function selectable(project: ParsedProject): Map<string, SelectableNode> {
  const out = new Map<string, SelectableNode>();
  for (const [id, n] of project.nodes) {
    out.set(id, {
      id,
      name: n.name,
      resourceType: n.resourceType,
      path: n.path,
      tags: n.tags,
      config: n.resourceType === 'source' ? { enabled: true } : (n.config as unknown as Record<string, unknown>),
      packageName: n.packageName,
      ...(n.resourceType === 'source' ? { sourceName: n.sourceName } : {}),
      ...(n.resourceType === 'test' ? { testType: n.testType } : n.resourceType === 'unit_test' ? { testType: 'unit' as const } : {}),
    });
  }
  return out;
}

export interface PreviousArtifacts {
  readonly runResults?: PreviousRunResults;
}

/**
 * The ids picked by --select/--exclude, over all node kinds. Tests are picked directly, or
 * because every node they test was picked (dbt's "eager" indirect selection counts any parent;
 * etlx needs all, so a test never runs against an unbuilt relation it did not ask for).
 */
export function selectIds(s: Session, previous: PreviousArtifacts = { runResults: readPreviousRunResults(s.targetDir) }): Set<string> {
  const nodes = selectable(s.project);
  const results = previous.runResults?.results;
  const ctx = {
    nodes,
    dag: s.project.dag,
    ...(s.options.state ? { isModified: modifiedChecker(s, s.options.state) } : {}),
    ...(results ? { resultStatus: resultLookup(results) } : {}),
  };
  const picked = new Set(selectNodes({ select: s.options.select, exclude: s.options.exclude }, ctx));
  requireEveryTermMatches(s.options.select, ctx);
  if (s.options.exclude.length > 0 && s.project.unitTests.size > 0) {
    // A unit test goes with its model: excluding the model excludes its unit tests (as in dbt).
    const out = new Set(selectNodes({ select: s.options.exclude, exclude: [] }, ctx));
    for (const u of s.project.unitTests.values()) if (out.has(u.model)) picked.delete(u.id);
  }
  if (s.options.select.length === 0) return picked;
  const excluded = s.options.exclude.length > 0 ? new Set(selectNodes({ select: s.options.exclude, exclude: [] }, ctx)) : new Set<string>();
  for (const t of s.project.tests.values()) {
    if (picked.has(t.id) || excluded.has(t.id) || !s.project.nodes.has(t.id)) continue;
    const parents = s.project.dag.parents(t.id).filter((p) => s.project.nodes.get(p)?.resourceType !== 'source');
    // A generic test needs its own node picked (it may be a source); a singular one, some parent.
    const anchored = t.attachedTo ? picked.has(t.attachedTo) : parents.length > 0;
    if (anchored && parents.every((p) => picked.has(p))) picked.add(t.id);
  }
  // A unit test comes with its model, like a data test.
  for (const u of s.project.unitTests.values()) {
    if (!picked.has(u.id) && !excluded.has(u.id) && s.project.nodes.has(u.id) && picked.has(u.model)) picked.add(u.id);
  }
  return picked;
}

/** Status by id in the last run_results (one map, not a scan per lookup). */
function resultLookup(results: readonly { unique_id: string; status: string }[]): (id: string) => string | undefined {
  const byId = new Map(results.map((r) => [r.unique_id, r.status]));
  return (id) => byId.get(id);
}
