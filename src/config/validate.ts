import type { z } from 'zod';
import type { Diagnostic } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import type { YamlFile, YamlPath } from './yaml-file.js';

/**
 * Runs a zod schema over part of a YAML file and turns every issue into a diagnostic that points
 * at the offending line, with a did-you-mean for unknown keys and enum values.
 */
export function validateYaml<S extends z.ZodType>(
  schema: S,
  yaml: YamlFile,
  data: unknown,
  basePath: YamlPath = [],
  what = 'this file',
): { value?: z.output<S>; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data, diagnostics: [] };
  const diagnostics = result.error.issues.flatMap((issue) => issueToDiagnostics(issue, schema, yaml, data, basePath, what));
  return { diagnostics };
}

interface Issue {
  readonly code: string;
  readonly path: PropertyKey[];
  readonly message: string;
  readonly keys?: string[];
  readonly values?: unknown[];
  readonly expected?: string;
  readonly errors?: Issue[][];
}

function issueToDiagnostics(
  raw: unknown,
  schema: z.ZodType,
  yaml: YamlFile,
  data: unknown,
  basePath: YamlPath,
  what: string,
): Diagnostic[] {
  const issue = raw as Issue;
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const where = (p: YamlPath, key?: boolean) => {
    const loc = yaml.locate([...basePath, ...p], key);
    return { file: yaml.file, line: loc?.line, column: loc?.column };
  };
  const label = describePath(path, what);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, path);
      return (issue.keys ?? []).map((key) => {
        const guess = closest(key, known);
        return {
          code: 'E_CONFIG_UNKNOWN_KEY',
          message: `unknown key "${key}" in ${label}${guess ? `; did you mean "${guess}"?` : ''}`,
          ...where([...path, key], true),
          hint: known.length > 0 ? `valid keys here: ${known.join(', ')}` : 'remove this key',
        };
      });
    }
    case 'invalid_value': {
      const allowed = (issue.values ?? []).map(String);
      const got = valueAt(data, path);
      const guess = typeof got === 'string' ? closest(got, allowed) : undefined;
      return [
        {
          code: 'E_CONFIG_VALUE',
          message: `${label} must be one of ${allowed.map((v) => `"${v}"`).join(', ')}, not ${JSON.stringify(got)}${guess ? `; did you mean "${guess}"?` : ''}`,
          ...where(path),
          hint: `use one of: ${allowed.join(', ')}`,
        },
      ];
    }
    case 'invalid_type': {
      const got = valueAt(data, path);
      const missing = got === undefined;
      return [
        {
          code: missing ? 'E_CONFIG_MISSING' : 'E_CONFIG_TYPE',
          message: missing
            ? `${label} is required`
            : `${label} must be ${article(issue.expected ?? 'a different type')}, not ${describeValue(got)}`,
          ...where(missing ? path.slice(0, -1) : path),
          hint: missing ? `add "${String(path[path.length - 1] ?? 'the value')}"` : typeHint(issue.expected),
        },
      ];
    }
    case 'invalid_union': {
      // A value that has one of the accepted types: report what is wrong inside it.
      const branches = issue.errors ?? [];
      const inner = branches.find((b) => b.length > 0 && b.every((i) => !(i.code === 'invalid_type' && i.path.length === 0)));
      if (inner) return inner.flatMap((i) => issueToDiagnostics({ ...i, path: [...issue.path, ...i.path] }, schema, yaml, data, basePath, what));
      const expected = [...new Set(branches.flatMap((b) => b.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => i.expected ?? '')))];
      if (expected.length > 0) {
        return [
          {
            code: 'E_CONFIG_TYPE',
            message: `${label} must be ${expected.map(article).join(' or ')}, not ${describeValue(valueAt(data, path))}`,
            ...where(path),
            hint: expected.map(typeHint).join('; or '),
          },
        ];
      }
      return [{ code: 'E_CONFIG_VALUE', message: `${label}: ${issue.message}`, ...where(path), hint: 'see the README section on this file for the accepted values' }];
    }
    default:
      return [
        {
          code: 'E_CONFIG_VALUE',
          message: `${label}: ${issue.message}`,
          ...where(path),
          hint: 'see the README section on this file for the accepted values',
        },
      ];
  }
}

function describePath(path: YamlPath, what: string): string {
  if (path.length === 0) return what;
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
  return `"${parts}"`;
}

function article(expected: string): string {
  switch (expected) {
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

function typeHint(expected: string | undefined): string {
  switch (expected) {
    case 'array':
      return 'write a YAML list: [a, b] or one "- item" per line';
    case 'object':
    case 'record':
    case 'map':
      return 'write a YAML mapping: key: value';
    case 'string':
      return 'quote the value';
    default:
      return `give ${article(expected ?? 'another type')}`;
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  getter?: () => z.ZodType;
}

function defOf(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** Object schemas reachable at `path`, unwrapping optionals, unions, pipes, arrays and records. */
function schemasAt(schema: z.ZodType, path: YamlPath): z.ZodType[] {
  let current: z.ZodType[] = [schema];
  const unwrap = (s: z.ZodType, depth = 0): z.ZodType[] => {
    if (depth > 10) return [];
    const d = defOf(s);
    switch (d.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
        return d.innerType ? unwrap(d.innerType, depth + 1) : [];
      case 'pipe':
        return d.in ? unwrap(d.in, depth + 1) : [];
      case 'lazy':
        return d.getter ? unwrap(d.getter(), depth + 1) : [];
      case 'union':
        return (d.options ?? []).flatMap((o) => unwrap(o, depth + 1));
      default:
        return [s];
    }
  };
  current = unwrap(schema);
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const d = defOf(s);
      if (d.type === 'object' && typeof seg === 'string' && d.shape?.[seg]) next.push(...unwrap(d.shape[seg]!));
      else if (d.type === 'array' && typeof seg === 'number' && d.element) next.push(...unwrap(d.element));
      else if (d.type === 'record' && d.valueType) next.push(...unwrap(d.valueType));
    }
    current = next;
  }
  return current;
}

function knownKeys(schema: z.ZodType, path: YamlPath): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const d = defOf(s);
    if (d.type === 'object' && d.shape) for (const k of Object.keys(d.shape)) keys.add(k);
  }
  return [...keys].sort();
}
