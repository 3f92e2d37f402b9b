import path from 'node:path';
import { modelTarget, seedTarget, snapshotTarget } from '../compile/relations.js';
import type { Target } from '../config/profiles.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { ModelNode, SeedNode, SnapshotNode } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';

/**
 * Schemas that hold etlx's own relations: run history (`etlx_meta`), stored test failures
 * (`etlx_test_failures`) and, on ClickHouse, temporary tables (`etlx_tmp`, whose `etlx_` names a
 * next run drops as leftovers). A model or seed built there could be overwritten or dropped.
 * (On DuckDB temporary tables live in the connection-local `temp` catalog, which no model can be
 * built in.) Reserved on every engine, so a project stays portable.
 */
export const RESERVED_SCHEMAS: readonly string[] = ['etlx_meta', 'etlx_test_failures', 'etlx_tmp'];

/** etlx's own folder in a project: staging copies and ownership records of file outputs (run/file-outputs.ts). */
export const OUTPUTS_DIR = '.etlx-outputs';

/**
 * Compile-time checks of where the project writes, run once the target is known (exit 2 before
 * anything runs): no model or seed in a reserved schema, no two relations that DuckDB's
 * case-insensitive identifiers make one, and every file model's `location` confined (see
 * `locationProblem`).
 */
export function outputChecks(project: ParsedProject, target: Pick<Target, 'schema' | 'path' | 'attach'>): Diagnostic[] {
  return [...relationChecks(project, target.schema), ...locationChecks(project, target)];
}

type Built = { readonly node: ModelNode | SeedNode | SnapshotNode; readonly schema: string; readonly identifier: string };

function builtRelations(project: ParsedProject, targetSchema: string): Built[] {
  const out: Built[] = [];
  // Disabled nodes build nothing.
  for (const m of project.models.values()) {
    if (!m.config.enabled) continue;
    if (m.mat.kind === 'view' || m.mat.kind === 'table' || m.mat.kind === 'incremental') out.push({ node: m, ...modelTarget(m, targetSchema) });
  }
  for (const s of project.seeds.values()) if (s.config.enabled) out.push({ node: s, ...seedTarget(s, targetSchema) });
  // A snapshot's history table is a relation like any other: a model of that name would replace it.
  for (const s of project.snapshots.values()) if (s.config.enabled) out.push({ node: s, ...snapshotTarget(s, targetSchema) });
  return out.sort((a, b) => (a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0));
}

/** The line of a model's `{{config key=...}}`, when it sets that key in the file. */
export function configLine(n: ModelNode | SeedNode | SnapshotNode, keys: readonly string[]): number {
  if (n.resourceType === 'seed') return 1;
  return n.ir.config.find((c) => keys.includes(c.key))?.line ?? 1;
}

function relationChecks(project: ParsedProject, targetSchema: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, Built>();
  for (const b of builtRelations(project, targetSchema)) {
    const kind = b.node.resourceType;
    if (RESERVED_SCHEMAS.includes(b.schema.toLowerCase())) {
      diagnostics.push({
        code: 'E_RESERVED_SCHEMA',
        message: `${kind} ${b.node.name} would be built in schema "${b.schema}", which etlx reserves for its own tables (${RESERVED_SCHEMAS.join(', ')})`,
        file: b.node.path,
        line: configLine(b.node, ['schema']),
        hint: `set another schema for ${b.node.name} (config schema=...), or another schema for the target in profiles.yml`,
      });
      continue;
    }
    // DuckDB identifiers compare case-insensitively: "M" and "m" are one table.
    const key = `${b.schema.toLowerCase()}\u0000${b.identifier.toLowerCase()}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, b);
      continue;
    }
    diagnostics.push({
      code: 'E_RELATION_COLLISION',
      message: `${first.node.resourceType} ${first.node.name} (${first.node.path}) and ${kind} ${b.node.name} (${b.node.path}) both build ${b.schema}.${b.identifier}: DuckDB compares identifiers case-insensitively, so they are one relation`,
      file: b.node.path,
      line: configLine(b.node, ['alias', 'schema']),
      hint: 'give one of them another alias or schema (config alias=... / schema=...), or rename its file',
    });
  }
  return diagnostics;
}

/** Is `p` equal to `dir` or inside it? */
function within(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Why a file model may not write `location` (absolute), or undefined. A replace moves the whole
 * location aside, so it must not be, or hold, the project root, a project folder, etlx.yml, the
 * warehouse or an attached database; nor sit inside a folder whose files are project input
 * (a CSV under seeds/ would become a seed) or inside target/ (which `etlx clean` removes).
 */
export function locationProblem(
  location: string,
  root: string,
  folders: readonly string[],
  databases: readonly string[],
  allowOutside: boolean,
): { message: string; hint: string } | undefined {
  const shown = path.relative(root, location) || '.';
  if (within(root, location)) return { message: `location "${shown}" is the project folder or holds it`, hint: 'write to a folder of its own, e.g. location="exports/<name>"' };
  for (const f of [path.join(root, 'etlx.yml'), ...databases]) {
    if (within(f, location)) {
      const what = f === path.join(root, 'etlx.yml') ? 'etlx.yml' : 'the warehouse or an attached database';
      return { message: `location "${shown}" is or holds ${what}`, hint: 'write to a folder of its own, e.g. location="exports/<name>"' };
    }
  }
  for (const f of folders) {
    if (within(f, location) || within(location, f)) {
      return {
        message: `location "${shown}" is, holds or is inside the project folder ${path.relative(root, f) || '.'}, which holds project files`,
        hint: 'write to a folder of its own, e.g. location="exports/<name>"',
      };
    }
  }
  if (!within(location, root) && !allowOutside) {
    return {
      message: `location "${location}" is outside the project folder`,
      hint: 'set allow_outside_project: true in the model\'s config to write there (etlx then owns that path), or write inside the project',
    };
  }
  return undefined;
}

function locationChecks(project: ParsedProject, target: Pick<Target, 'path' | 'attach'> & { readonly type?: Target['type'] }): Diagnostic[] {
  const root = project.root;
  const c = project.files.config;
  const folders = [...c.modelPaths, ...c.seedPaths, ...c.testPaths, ...c.macroPaths, 'snapshots', c.targetPath, OUTPUTS_DIR].map((f) => path.resolve(root, f));
  const databases = [...(target.type === 'clickhouse' ? [] : [target.path]), ...target.attach.map((a) => a.path)].filter((p) => p !== ':memory:' && p !== '').map((p) => path.resolve(root, p));
  const diagnostics: Diagnostic[] = [];
  const files: { node: ModelNode; location: string }[] = [];
  for (const m of project.models.values()) {
    if (m.mat.kind !== 'file' || !m.config.enabled) continue;
    const line = configLine(m, ['location']);
    const p = locationProblem(m.mat.location, root, folders, databases, m.config.allow_outside_project === true);
    if (p) diagnostics.push({ code: 'E_FILE_LOCATION', message: `file model ${m.name}: ${p.message}`, file: m.path, line, hint: p.hint });
    for (const other of files) {
      if (within(m.mat.location, other.location) || within(other.location, m.mat.location)) {
        diagnostics.push({
          code: 'E_FILE_LOCATION',
          message: `file models ${other.node.name} (${other.node.path}) and ${m.name} (${m.path}) write overlapping locations: ${m.mat.locationShown} and ${other.node.mat.kind === 'file' ? other.node.mat.locationShown : ''}`,
          file: m.path,
          line,
          hint: 'give each file model a location of its own',
        });
      }
    }
    files.push({ node: m, location: m.mat.location });
  }
  return diagnostics;
}
