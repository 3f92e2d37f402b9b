import { createHash } from 'node:crypto';
import { toList, type RawUnitTest } from '../config/schemas.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { didYouMeanSuffix } from './dependencies.js';
import { idOf, type FixtureInput, type ModelNode, type SeedNode, type SnapshotNode, type SourceNode, type UnitTestFixture, type UnitTestNode } from './nodes.js';
import type { PropertyEntry } from './properties.js';

export interface UnitTestScope {
  readonly project: string;
  readonly entries: readonly PropertyEntry<RawUnitTest>[];
  readonly models: ReadonlyMap<string, ModelNode>;
  readonly seeds: ReadonlyMap<string, SeedNode>;
  readonly snapshots: ReadonlyMap<string, SnapshotNode>;
  readonly sources: ReadonlyMap<string, SourceNode>;
}

/** `ref('x')`, `source('a', 'b')` or `this`, as dbt writes a given input. */
export function parseFixtureInput(input: string): FixtureInput | undefined {
  const t = input.trim();
  if (t === 'this') return { this: true };
  const s = /^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$/.exec(t);
  if (s) return { source: s[1]!, table: s[2]! };
  const r = /^ref\(\s*['"]([^'"]+)['"]\s*\)$/.exec(t);
  return r ? { ref: r[1]! } : undefined;
}

/** A stable key for an input: the same relation given twice is an error. */
export function fixtureKey(f: FixtureInput): string {
  return 'this' in f ? 'this' : 'ref' in f ? `ref:${f.ref}` : `source:${f.source}.${f.table}`;
}

/**
 * dbt 1.8's `unit_tests:` entries as nodes: the model exists, each given input names a relation
 * the model reads (or `this`, for an incremental model), rows match their format. Which columns
 * an input has is decided when the test runs: that may need the warehouse.
 */
export function parseUnitTests(scope: UnitTestScope, diagnostics: Diagnostic[]): Map<string, UnitTestNode> {
  const out = new Map<string, UnitTestNode>();
  for (const entry of scope.entries) {
    const t = entry.props;
    const at = (...rest: (string | number)[]) => {
      const loc = entry.yaml.locate([...entry.at, ...rest]);
      return { file: entry.yaml.file, line: loc?.line, column: loc?.column };
    };
    const model = scope.models.get(t.model);
    if (!model) {
      diagnostics.push({
        code: 'E_UNIT_TEST_MODEL',
        message: `unit test ${t.name} names model "${t.model}", which does not exist${didYouMeanSuffix(t.model, scope.models.keys())}`,
        ...at('model'),
        hint: 'model: names a models/**/<name>.sql file',
      });
      continue;
    }
    if (!model.config.enabled) continue;
    const id = idOf.unitTest(scope.project, model.name, t.name);
    if (out.has(id)) {
      diagnostics.push({ code: 'E_DUPLICATE_NAME', message: `two unit tests of model ${model.name} are named "${t.name}"`, ...at('name'), hint: 'rename one of them' });
      continue;
    }
    const reads = new Set([...model.ir.refs.map((r) => `ref:${r.name}`), ...model.ir.sources.map((s) => `source:${s.source}.${s.table}`)]);
    const incremental = model.mat.kind === 'incremental' || (model.mat.kind === 'file' && model.mat.incremental);
    const given: UnitTestFixture[] = [];
    let ok = true;
    const seen = new Set<string>();
    (t.given ?? []).forEach((g, i) => {
      const target = parseFixtureInput(g.input);
      const problem = (message: string, hint: string) => {
        diagnostics.push({ code: 'E_UNIT_TEST_INPUT', message: `unit test ${t.name}: ${message}`, ...at('given', i, 'input'), hint });
        ok = false;
      };
      if (!target) return problem(`cannot read input "${g.input}"`, `write ref('name'), source('source', 'table') or this`);
      const key = fixtureKey(target);
      if (seen.has(key)) return problem(`input ${g.input} is given twice`, 'give each input once');
      seen.add(key);
      if ('this' in target) {
        if (!incremental) return problem(`input "this" is only for incremental models; ${model.name} is ${model.mat.kind}`, 'remove it, or test an incremental model');
      } else if (!reads.has(key)) {
        const used = [...model.ir.refs.map((r) => `ref('${r.name}')`), ...model.ir.sources.map((s) => `source('${s.source}', '${s.table}')`)];
        return problem(`model ${model.name} does not read ${g.input}`, used.length > 0 ? `its inputs are: ${used.join(', ')}` : `${model.name} reads no ref or source`);
      }
      const rows = fixtureRows(g.format ?? 'dict', g.rows, (m, h) => {
        diagnostics.push({ code: 'E_UNIT_TEST_FIXTURE', message: `unit test ${t.name}, input ${g.input}: ${m}`, ...at('given', i, 'rows'), hint: h });
        ok = false;
      });
      if (rows !== undefined) given.push({ input: g.input, target, format: g.format ?? 'dict', rows });
    });
    const expectRows = fixtureRows(t.expect.format ?? 'dict', t.expect.rows, (m, h) => {
      diagnostics.push({ code: 'E_UNIT_TEST_FIXTURE', message: `unit test ${t.name}, expect: ${m}`, ...at('expect'), hint: h });
      ok = false;
    });
    if (!ok || expectRows === undefined) continue;
    const tags = [...new Set([...model.tags, ...toList(t.tags), ...toList(t.config?.tags)])];
    const isIncremental = t.overrides?.is_incremental ?? t.overrides?.macros?.is_incremental;
    out.set(id, {
      resourceType: 'unit_test',
      id,
      name: t.name,
      path: entry.yaml.file,
      packageName: scope.project,
      tags,
      ...(t.description !== undefined ? { description: t.description } : {}),
      model: model.id,
      given,
      expect: { format: t.expect.format ?? 'dict', rows: expectRows },
      overrides: { vars: t.overrides?.vars ?? {}, env: t.overrides?.env_vars ?? {}, ...(isIncremental !== undefined ? { isIncremental } : {}) },
      get line() {
        return entry.yaml.locate([...entry.at, 'name'])?.line;
      },
      rowsLine: (where) => entry.yaml.locate(where === 'expect' ? [...entry.at, 'expect', 'rows'] : [...entry.at, 'given', where, 'rows'])?.line,
      checksum: createHash('sha1').update(JSON.stringify(t)).digest('hex'),
      config: { enabled: t.config?.enabled ?? true, tags, meta: { ...(t.meta ?? {}), ...(t.config?.meta ?? {}) } },
    });
  }
  return out;
}

/** Rows as written for their format: a list for dict, text for csv and sql. */
function fixtureRows(
  format: UnitTestFixture['format'],
  rows: RawUnitTest['expect']['rows'],
  fail: (message: string, hint: string) => void,
): UnitTestFixture['rows'] | undefined {
  if (format === 'dict') {
    if (rows === undefined) return [];
    if (typeof rows === 'string') return fail('format dict takes a list of rows', 'write rows: [{id: 1, name: a}], or set format: csv'), undefined;
    return rows;
  }
  if (typeof rows !== 'string') return fail(`format ${format} takes text`, format === 'csv' ? 'write rows: |\n  id,name\n  1,a' : 'write rows: |\n  select 1 as id'), undefined;
  return rows;
}
