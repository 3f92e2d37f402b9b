import path from 'node:path';
import { z } from 'zod';
import { TEST_CONFIG_KEYS, testConfigSchema, type RawTestEntry, type TestConfig } from '../config/schemas.js';
import type { YamlFile, YamlPath } from '../config/yaml-file.js';
import { validateYaml } from '../config/validate.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import type { ProjectFiles } from '../project/load.js';
import { resolveTestConfig, singularTestConfigOf } from './config-merge.js';
import type { Dependencies } from './dependencies.js';
import { macrosUsed, type Macro } from './macros.js';
import { idOf, type GenericTestKind, type ModelNode, type SeedNode, type SnapshotNode, type SourceNode, type TestNode } from './nodes.js';
import { testDeclarationsOf, type Properties, type PropertyEntry, type TestDeclarations } from './properties.js';
import type { ParsedSources } from './sources.js';
import type { TemplateCache } from '../template/cache.js';
import { parseTemplateFile } from './templates.js';
import { isGenericTestFile, parseCustomTests, type CustomTest } from './custom-tests.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const columnName = z.string().min(1).optional();

/** Arguments of each generic test. Strict: an unknown argument is an error with a did-you-mean. */
export const TEST_ARG_SCHEMAS: Record<GenericTestKind, z.ZodType> = {
  not_null: z.strictObject({ column_name: columnName }),
  unique: z.strictObject({ column_name: columnName }),
  accepted_values: z.strictObject({ values: z.array(scalar).min(1), quote: z.boolean().optional(), column_name: columnName }),
  relationships: z.strictObject({ to: z.string().min(1), field: z.string().min(1), column_name: columnName }),
  expression_is_true: z.strictObject({ expression: z.string().min(1), column_name: columnName }),
  row_count: z
    .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional(), equals: z.number().int().min(0).optional() })
    .refine((a) => a.min !== undefined || a.max !== undefined || a.equals !== undefined, 'give at least one of min, max, equals'),
  row_count_matches: z.strictObject({ model: z.string().min(1), tolerance_pct: z.number().min(0).optional() }),
  row_count_change: z.strictObject({ max_pct: z.number().min(0) }),
};
export const GENERIC_TESTS = Object.keys(TEST_ARG_SCHEMAS) as GenericTestKind[];
const MODEL_LEVEL_ONLY = new Set<GenericTestKind>(['row_count', 'row_count_matches', 'row_count_change']);

export interface ParsedTestEntry {
  readonly kind: GenericTestKind | 'custom';
  /** A custom generic test (tests/generic/<name>.sql). */
  readonly custom?: CustomTest;
  readonly args: Record<string, unknown>;
  readonly config: TestConfig;
  readonly line?: number;
  readonly col?: number;
}

/**
 * One entry of a `tests:` list: `not_null`, `{accepted_values: {values: [...], severity: warn}}`,
 * or dbt 1.10's `{accepted_values: {arguments: {...}, config: {...}}}`.
 */
export function parseTestEntry(
  entry: RawTestEntry,
  yaml: YamlFile,
  at: YamlPath,
  column: string | undefined,
  diagnostics: Diagnostic[],
  custom: ReadonlyMap<string, CustomTest> = new Map(),
): ParsedTestEntry | undefined {
  // Positions are looked up only when needed: locating means parsing the file again with `yaml`.
  const where = () => {
    const loc = yaml.locate(at);
    return { file: yaml.file, line: loc?.line, column: loc?.column };
  };
  let kind: string;
  let body: Record<string, unknown>;
  let bodyPath: YamlPath;
  if (typeof entry === 'string') {
    kind = entry;
    body = {};
    bodyPath = at;
  } else {
    const keys = Object.keys(entry);
    if (keys.length !== 1) {
      diagnostics.push({
        code: 'E_TEST_SHAPE',
        message: `a test entry must have exactly one key (the test name), found ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'none'}`,
        ...where(),
        hint: 'write "- not_null" or "- accepted_values: {values: [a, b], severity: warn}"; indent the arguments under the test name',
      });
      return undefined;
    }
    kind = keys[0]!;
    body = { ...((entry[kind] as Record<string, unknown> | null) ?? {}) };
    bodyPath = [...at, kind];
  }
  const customTest = custom.get(kind);
  if (!(GENERIC_TESTS as string[]).includes(kind) && !customTest) {
    const known = [...GENERIC_TESTS, ...custom.keys()];
    const guess = closest(kind, known);
    diagnostics.push({
      code: 'E_TEST_UNKNOWN',
      message: `unknown test "${kind}"${guess ? `; did you mean "${guess}"?` : ''}`,
      ...where(),
      hint: `generic tests: ${known.join(', ')}; for anything else write a singular test in tests/*.sql${custom.size > 0 ? ' or a generic one in tests/generic/<name>.sql' : ''}`,
    });
    return undefined;
  }
  const k = (customTest ? 'custom' : kind) as GenericTestKind | 'custom';
  if (column !== undefined && k !== 'custom' && MODEL_LEVEL_ONLY.has(k)) {
    diagnostics.push({ code: 'E_TEST_LEVEL', message: `${k} is a model-level test, not a column test`, ...where(), hint: `move it to the model's tests: list` });
    return undefined;
  }
  // dbt 1.10 nests arguments and config; flatten both beside each other.
  const nestedArgs = body.arguments;
  const nestedConfig = body.config;
  delete body.arguments;
  delete body.config;
  const flat: Record<string, unknown> = {
    ...(nestedArgs && typeof nestedArgs === 'object' ? (nestedArgs as Record<string, unknown>) : {}),
    ...(nestedConfig && typeof nestedConfig === 'object' ? (nestedConfig as Record<string, unknown>) : {}),
    ...body,
  };
  const args: Record<string, unknown> = {};
  const configRaw: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(flat)) (TEST_CONFIG_KEYS.includes(key) ? configRaw : args)[key] = v;
  // A custom test's arguments are whatever its template reads.
  const argsResult = validateYaml(k === 'custom' ? z.record(z.string(), z.unknown()) : TEST_ARG_SCHEMAS[k], yaml, args, bodyPath, `${kind} arguments`);
  const configResult = validateYaml(testConfigSchema, yaml, configRaw, bodyPath, `${k} config`);
  const problems = [...argsResult.diagnostics, ...configResult.diagnostics].map((d) =>
    d.code === 'E_CONFIG_UNKNOWN_KEY' ? { ...d, code: 'E_TEST_ARG' as const, hint: `${d.hint ?? ''}; test config keys: ${TEST_CONFIG_KEYS.join(', ')}` } : d,
  );
  diagnostics.push(...problems);
  if (problems.length > 0) return undefined;
  const finalArgs = argsResult.value as Record<string, unknown>;
  if (column === undefined && (k === 'not_null' || k === 'unique' || k === 'accepted_values' || k === 'relationships') && !finalArgs.column_name) {
    diagnostics.push({
      code: 'E_TEST_LEVEL',
      message: `${k} on a model needs column_name`,
      ...where(),
      hint: `put the test under the column's tests:, or add column_name: <column>`,
    });
    return undefined;
  }
  return {
    kind: k,
    ...(customTest ? { custom: customTest } : {}),
    args: finalArgs,
    config: configResult.value as TestConfig,
    get line() {
      return yaml.locate(at)?.line;
    },
    get col() {
      return yaml.locate(at)?.column;
    },
  };
}

/** `ref('x')`, `ref("x")` or `x` -> `x`; `source('a', 'b')` -> `['a', 'b']`. dbt's spelling is accepted. */
export function parseTestTarget(to: string): { model: string } | { source: string; table: string } {
  const s = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(to);
  if (s) return { source: s[1]!, table: s[2]! };
  const r = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(to);
  return { model: r ? r[1]! : to.trim() };
}

/** What tests attach to and resolve against. */
export interface TestScope {
  readonly files: ProjectFiles;
  readonly properties: Properties;
  readonly models: ReadonlyMap<string, ModelNode>;
  readonly seeds: ReadonlyMap<string, SeedNode>;
  readonly snapshots: ReadonlyMap<string, SnapshotNode>;
  readonly sourceTests: ParsedSources['tests'];
  readonly macros: ReadonlyMap<string, Macro>;
  readonly dependencies: Dependencies;
  readonly cache: TemplateCache | undefined;
}

/**
 * Every test node by id: generic tests from properties files first (models, then seeds, each by
 * name, then source tables in declaration order), then singular tests (tests/**\/*.sql). Names
 * are generated in that order, so it decides which duplicate gets the `_2` suffix.
 */
export function parseTests(scope: TestScope, diagnostics: Diagnostic[]): Map<string, TestNode> {
  const tests = new Map<string, TestNode>();
  parseGenericTests(scope, tests, diagnostics);
  parseSingularTests(scope, tests, diagnostics);
  return tests;
}

function parseGenericTests(scope: TestScope, tests: Map<string, TestNode>, diagnostics: Diagnostic[]): void {
  const project = scope.files.config.name;
  const custom = parseCustomTests(scope.files.tests, scope.files.config.testPaths, GENERIC_TESTS, scope.cache, diagnostics);
  const counters = new Map<string, number>();
  const uniqueName = (base: string) => {
    const n = (counters.get(base) ?? 0) + 1;
    counters.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  };
  const add = (owner: ModelNode | SeedNode | SnapshotNode | SourceNode, ownerLabel: string, column: string | undefined, parsed: ParsedTestEntry, file: string) => {
    const col = column ?? (parsed.args.column_name as string | undefined);
    const name = parsed.config.name ?? uniqueName(`${parsed.custom?.name ?? parsed.kind}_${ownerLabel}${column ? `_${sanitize(column)}` : ''}`);
    const alsoReads: string[] = [];
    const other = parsed.kind === 'relationships' ? String(parsed.args.to) : parsed.kind === 'row_count_matches' ? String(parsed.args.model) : undefined;
    if (other !== undefined) {
      const target = scope.dependencies.resolve(parseTestTarget(other));
      if (!('id' in target)) {
        diagnostics.push({
          code: 'E_REF_NOT_FOUND',
          message: `${parsed.kind} test on ${owner.name} points at "${target.shown}", which does not exist${target.didYouMean}`,
          file,
          line: parsed.line,
          column: parsed.col,
          hint: 'name a model or seed (or source(\'src\', \'table\'))',
        });
        return;
      }
      alsoReads.push(target.id);
    }
    const id = idOf.test(project, name);
    // What a custom test's template reads (refs, sources, macros) are its parents too.
    if (parsed.custom) {
      scope.dependencies.checkTemplate(id, parsed.custom.path, parsed.custom.ir, macrosUsed(parsed.custom.ir, scope.macros));
      alsoReads.push(...scope.dependencies.parentsOf(id).filter((x) => x !== owner.id && !alsoReads.includes(x)));
    }
    if (tests.has(id)) {
      diagnostics.push({ code: 'E_DUPLICATE_NAME', message: `two tests are named "${name}"`, file, line: parsed.line, column: parsed.col, hint: 'give one a different name: config' });
      return;
    }
    const config = resolveTestConfig(parsed.config);
    tests.set(id, {
      resourceType: 'test',
      id,
      name,
      path: file,
      packageName: project,
      testType: 'generic',
      kind: parsed.kind,
      attachedTo: owner.id,
      ...(col !== undefined ? { column: col } : {}),
      args: parsed.args,
      config,
      rawConfig: parsed.config,
      tags: [...new Set([...owner.tags, ...config.tags])],
      // Getters: the YAML file is parsed for positions only if a line is ever shown.
      get line() {
        return parsed.line;
      },
      get col() {
        return parsed.col;
      },
      alsoReads,
      // A custom test changes when its template does (state:modified).
      checksum: parsed.custom?.checksum ?? '',
      ...(parsed.custom ? { custom: { name: parsed.custom.name, path: parsed.custom.path }, ir: parsed.custom.ir } : {}),
    });
  };
  const collect = (owner: ModelNode | SeedNode | SnapshotNode | SourceNode, label: string, { yaml, at, tests: declared, columns }: TestDeclarations) => {
    // `data_tests:` (dbt's spelling) wins over `tests:` when both are there, like below.
    const key = declared.data_tests !== undefined ? 'data_tests' : 'tests';
    const list = (declared[key] as RawTestEntry[] | undefined) ?? [];
    list.forEach((e, i) => {
      const p = parseTestEntry(e, yaml, [...at, key, i], undefined, diagnostics, custom);
      if (p) add(owner, label, undefined, p, yaml.file);
    });
    columns?.forEach((c, ci) => {
      const cl = c.data_tests ?? c.tests ?? [];
      const key = c.data_tests ? 'data_tests' : 'tests';
      cl.forEach((e, i) => {
        const p = parseTestEntry(e, yaml, [...at, 'columns', ci, key, i], c.name, diagnostics, custom);
        if (p) add(owner, label, c.name, p, yaml.file);
      });
    });
  };
  for (const [name, entry] of byName(scope.properties.models)) {
    const m = scope.models.get(name);
    if (m && m.config.enabled) collect(m, sanitize(name), testDeclarationsOf(entry));
  }
  for (const [name, entry] of byName(scope.properties.seeds)) {
    const s = scope.seeds.get(name);
    if (s && s.config.enabled) collect(s, sanitize(name), testDeclarationsOf(entry));
  }
  for (const [name, entry] of byName(scope.properties.snapshots)) {
    const s = scope.snapshots.get(name);
    if (s && s.config.enabled) collect(s, sanitize(name), testDeclarationsOf(entry));
  }
  for (const st of scope.sourceTests) collect(st.node, `${sanitize(st.node.sourceName)}_${sanitize(st.node.name)}`, st);
}

function parseSingularTests(scope: TestScope, tests: Map<string, TestNode>, diagnostics: Diagnostic[]): void {
  const project = scope.files.config.name;
  for (const f of scope.files.tests) {
    if (isGenericTestFile(f, scope.files.config.testPaths)) continue;
    const name = path.posix.basename(f.path, '.sql');
    const ir = parseTemplateFile(f, scope.cache, diagnostics, { noBareThis: true });
    const id = idOf.test(project, name);
    if (tests.has(id)) {
      diagnostics.push({ code: 'E_DUPLICATE_NAME', message: `singular test ${f.path} has the same name as another test ("${name}")`, file: f.path, hint: 'rename the file' });
      continue;
    }
    const { rawConfig, config } = singularTestConfigOf(ir.config, f.path, diagnostics);
    tests.set(id, {
      resourceType: 'test',
      id,
      name,
      path: f.path,
      absPath: f.absPath,
      packageName: project,
      testType: 'singular',
      kind: 'singular',
      args: {},
      config,
      rawConfig,
      tags: config.tags,
      alsoReads: [],
      ir,
      checksum: f.checksum,
    });
    scope.dependencies.checkTemplate(id, f.path, ir, macrosUsed(ir, scope.macros));
  }
}

function byName<P>(entries: ReadonlyMap<string, PropertyEntry<P>>): [string, PropertyEntry<P>][] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A name part of a generated test name: anything but letters, digits and `_` becomes `_`. */
function sanitize(s: string): string {
  return s.replace(/[^\p{L}\p{N}_]+/gu, '_');
}
