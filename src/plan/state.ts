import { z } from 'zod';
import { stableStringify } from '../artifacts/json.js';
import { EtlxError } from '../errors/diagnostic.js';
import { checksumEntry } from '../project/files.js';
import { readStateManifestFile } from '../project/previous-run.js';
import type { Session } from '../session.js';

/** The parts of a --state manifest.json that state:modified compares; other keys pass through. */
const stateNodeSchema = z.looseObject({
  checksum: z.unknown().optional(),
  config: z.unknown().optional(),
  test_metadata: z.unknown().optional(),
  vars_read: z.record(z.string(), z.unknown()).optional(),
  location: z.unknown().optional(),
  options: z.unknown().optional(),
  schema: z.unknown().optional(),
  identifier: z.unknown().optional(),
  freshness: z.unknown().optional(),
  unrendered_config: z.unknown().optional(),
  unrendered: z.record(z.string(), z.unknown()).optional(),
});
type StateNode = z.output<typeof stateNodeSchema>;

const stateManifestSchema = z.looseObject({
  metadata: z.looseObject({ schema_version: z.string().startsWith('etlx/manifest/') }),
  nodes: z.record(z.string(), stateNodeSchema),
  sources: z.record(z.string(), stateNodeSchema).optional(),
  macros: z.record(z.string(), z.looseObject({ checksum: z.looseObject({ checksum: z.string().optional() }).optional() })).optional(),
});
type StateManifest = z.output<typeof stateManifestSchema>;

/** The --state manifest, read through project/ and checked: a malformed one is an error, never half-used. */
function readStateManifest(dir: string, root: string): StateManifest {
  const read = readStateManifestFile(dir, root);
  if (!read.ok) {
    if (read.problem === 'missing') {
      throw new EtlxError({
        code: 'E_STATE',
        message: `--state ${dir}: no manifest.json there`,
        hint: 'point --state at a folder holding the manifest.json of the run to compare with (e.g. a copy of target/ from main)',
      });
    }
    throw new EtlxError({ code: 'E_STATE', message: `--state ${dir}: manifest.json is not valid JSON (${read.detail ?? ''})`, hint: 'regenerate it with etlx compile' });
  }
  const parsed = stateManifestSchema.safeParse(read.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EtlxError({
      code: 'E_STATE',
      message: `--state ${dir}: manifest.json is not an etlx manifest: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
      hint: 'point --state at the target/ folder of an etlx run (etlx compile writes manifest.json there)',
    });
  }
  return parsed.data;
}

/**
 * state:modified: a node is modified when its file, its resolved config, a macro it uses, a var
 * it reads or (for tests) its arguments changed against the --state manifest.
 */
export function modifiedChecker(s: Session, stateDir: string): (id: string) => 'new' | 'modified' | 'unchanged' {
  const manifest = readStateManifest(stateDir, s.project.root);
  const oldNodes: Record<string, StateNode> = { ...manifest.nodes, ...(manifest.sources ?? {}) };
  const oldMacros = manifest.macros ?? {};
  return (id) => {
    const old = oldNodes[id];
    if (!old) return 'new';
    const n = s.project.nodes.get(id)!;
    const same = (a: unknown, b: unknown) => stableStringify(a) === stableStringify(b);
    if (n.resourceType === 'source') {
      // As written: a templated location or schema renders differently per target.
      const now = n.unrendered ?? { location: n.location, options: n.options, schema: n.kind === 'table' ? n.schema : undefined, identifier: n.identifier };
      const before = old.unrendered ?? { location: old.location, options: old.options, schema: old.schema, identifier: old.identifier };
      return same({ ...now, freshness: n.freshness }, { ...before, freshness: old.freshness })
        ? 'unchanged'
        : 'modified';
    }
    if (!same(checksumEntry(n.checksum), old.checksum)) return 'modified';
    if (!same(n.unrendered ?? n.config, old.unrendered_config ?? old.config)) return 'modified';
    if (n.resourceType === 'test' && n.testType === 'generic' && !same({ name: n.custom?.name ?? n.kind, kwargs: n.args }, old.test_metadata)) return 'modified';
    if (n.resourceType === 'model' || n.resourceType === 'snapshot') {
      for (const m of n.macros) if (s.project.macros.get(m)?.checksum !== oldMacros[m]?.checksum?.checksum) return 'modified';
      const oldVars = old.vars_read ?? {};
      for (const [name, value] of Object.entries(oldVars)) {
        const now = Object.prototype.hasOwnProperty.call(s.vars, name) ? s.vars[name] : value;
        if (!same(now, value)) return 'modified';
      }
    }
    return 'unchanged';
  };
}
