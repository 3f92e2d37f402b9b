import { z } from 'zod';
import { TEST_CONFIG_KEYS, testConfigSchema, type RawTestEntry, type TestConfig } from '../config/schemas.js';
import type { YamlFile, YamlPath } from '../config/yaml-file.js';
import { validateYaml } from '../config/validate.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import type { GenericTestKind } from './nodes.js';

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
  readonly kind: GenericTestKind;
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
  if (!(GENERIC_TESTS as string[]).includes(kind)) {
    const guess = closest(kind, GENERIC_TESTS);
    diagnostics.push({
      code: 'E_TEST_UNKNOWN',
      message: `unknown test "${kind}"${guess ? `; did you mean "${guess}"?` : ''}`,
      ...where(),
      hint: `generic tests: ${GENERIC_TESTS.join(', ')}; for anything else write a singular test in tests/*.sql`,
    });
    return undefined;
  }
  const k = kind as GenericTestKind;
  if (column !== undefined && MODEL_LEVEL_ONLY.has(k)) {
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
  const argsResult = validateYaml(TEST_ARG_SCHEMAS[k], yaml, args, bodyPath, `${k} arguments`);
  const configResult = validateYaml(testConfigSchema, yaml, configRaw, bodyPath, `${k} config`);
  const problems = [...argsResult.diagnostics, ...configResult.diagnostics].map((d) =>
    d.code === 'E_CONFIG_UNKNOWN_KEY' ? { ...d, code: 'E_TEST_ARG', hint: `${d.hint ?? ''}; test config keys: ${TEST_CONFIG_KEYS.join(', ')}` } : d,
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
