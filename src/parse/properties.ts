import { normaliseConfigKey } from '../config/folder-config.js';
import {
  propertiesFileSchema,
  type RawColumn,
  type RawModelProperties,
  type RawSeedProperties,
  type RawSnapshotProperties,
  type RawSource,
  type RawUnitTest,
} from '../config/schemas.js';
import { validateYaml } from '../config/validate.js';
import { parseYamlFile, type YamlFile, type YamlPath } from '../config/yaml-file.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import type { TextFile } from '../project/files.js';
import type { ColumnInfo } from './nodes.js';
import { renderPropertyValues, type PropertyValueContext } from './property-values.js';

/** One entry of a properties file, with where it is: diagnostics and tests locate lines lazily. */
export interface PropertyEntry<P> {
  readonly props: P;
  readonly yaml: YamlFile;
  readonly at: YamlPath;
  /** The entry as written, when some of its values were templates (state:modified compares this). */
  readonly written?: P;
}

/** Where a node's `tests:` and its columns' `tests:` are declared. */
export interface TestDeclarations {
  readonly yaml: YamlFile;
  readonly at: YamlPath;
  readonly tests: { readonly data_tests?: unknown; readonly tests?: unknown };
  readonly columns: readonly RawColumn[] | undefined;
}

/** The `models:`, `seeds:` and `sources:` entries of every properties file. */
export interface Properties {
  readonly models: ReadonlyMap<string, PropertyEntry<RawModelProperties>>;
  readonly seeds: ReadonlyMap<string, PropertyEntry<RawSeedProperties>>;
  /** In file order; a source may be split over several files, so duplicates are found per table later. */
  readonly sources: readonly PropertyEntry<RawSource>[];
  readonly snapshots: ReadonlyMap<string, PropertyEntry<RawSnapshotProperties>>;
  /** In file order; names repeat across models, so duplicates are found per model later. */
  readonly unitTests: readonly PropertyEntry<RawUnitTest>[];
}

/**
 * Validates every properties file and indexes its entries by name. A model or seed described
 * twice keeps its first entry and reports the second.
 */
export function parseProperties(files: readonly TextFile[], diagnostics: Diagnostic[], values?: PropertyValueContext): Properties {
  const models = new Map<string, PropertyEntry<RawModelProperties>>();
  const seeds = new Map<string, PropertyEntry<RawSeedProperties>>();
  const sources: PropertyEntry<RawSource>[] = [];
  const snapshots = new Map<string, PropertyEntry<RawSnapshotProperties>>();
  const unitTests: PropertyEntry<RawUnitTest>[] = [];
  for (const f of files) {
    const parsed = parseYamlFile(f.text, f.path);
    diagnostics.push(...parsed.diagnostics);
    const yaml = parsed.yaml;
    if (!yaml || yaml.data === null || yaml.data === undefined) continue;
    const written = normaliseHookKeys(yaml.data);
    const rendered = values ? renderPropertyValues(yaml, written, values, diagnostics) : undefined;
    const { value, diagnostics: d } = validateYaml(propertiesFileSchema, yaml, rendered?.data ?? written, [], f.path);
    diagnostics.push(...d);
    if (!value) continue;
    const templatedAt = (at: YamlPath) => [...(rendered?.templated.keys() ?? [])].some((k) => k.startsWith(`${at.join('.')}.`));
    const writtenAt = (at: YamlPath): unknown => at.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], written);
    const register = <P extends { name: string }>(list: P[] | undefined, kind: string, into: Map<string, PropertyEntry<P>>) =>
      list?.forEach((props, i) => {
        const prev = into.get(props.name);
        if (prev) {
          const loc = yaml.locate([kind, i, 'name']);
          const prevLoc = prev.yaml.locate([...prev.at, 'name']);
          diagnostics.push({
            code: 'E_DUPLICATE_PROPERTIES',
            message: `${kind.slice(0, -1)} "${props.name}" is described twice (also at ${prev.yaml.file}:${prevLoc?.line ?? '?'})`,
            file: f.path,
            line: loc?.line,
            column: loc?.column,
            hint: 'merge the two entries into one',
          });
        } else into.set(props.name, { props, yaml, at: [kind, i], ...(templatedAt([kind, i]) ? { written: writtenAt([kind, i]) as P } : {}) });
      });
    register(value.models, 'models', models);
    register(value.seeds, 'seeds', seeds);
    register(value.snapshots, 'snapshots', snapshots);
    value.sources?.forEach((source, i) =>
      sources.push({ props: source, yaml, at: ['sources', i], ...(templatedAt(['sources', i]) ? { written: writtenAt(['sources', i]) as RawSource } : {}) }),
    );
    value.unit_tests?.forEach((t, i) => unitTests.push({ props: t, yaml, at: ['unit_tests', i] }));
  }
  return { models, seeds, sources, snapshots, unitTests };
}

/** The test declarations of a model or seed entry. */
export function testDeclarationsOf(entry: PropertyEntry<RawModelProperties | RawSeedProperties | RawSnapshotProperties>): TestDeclarations {
  return { yaml: entry.yaml, at: entry.at, tests: entry.props, columns: entry.props.columns };
}

export function columnsOf(columns: readonly RawColumn[] | undefined): ColumnInfo[] {
  return (columns ?? []).map((c) => ({
    name: c.name,
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.data_type !== undefined ? { data_type: c.data_type } : {}),
  }));
}

/** `pre-hook` (dbt) -> `pre_hook` inside `config:` blocks of properties files. */
function normaliseHookKeys(data: unknown): unknown {
  if (!data || typeof data !== 'object') return data;
  const d = data as Record<string, unknown>;
  const fix = (list: unknown) =>
    Array.isArray(list)
      ? list.map((e) =>
          e && typeof e === 'object' && 'config' in e && e.config && typeof e.config === 'object'
            ? { ...e, config: Object.fromEntries(Object.entries(e.config as Record<string, unknown>).map(([k, v]) => [normaliseConfigKey(k), v])) }
            : e,
        )
      : list;
  return { ...d, ...(d.models ? { models: fix(d.models) } : {}), ...(d.seeds ? { seeds: fix(d.seeds) } : {}), ...(d.snapshots ? { snapshots: fix(d.snapshots) } : {}) };
}

/**
 * The resolved config with each value that came from a templated properties value put back as
 * written; undefined when the entry had no templates. A value that a later layer ({{config}} in
 * the SQL) overrode stays as resolved.
 */
export function unrenderedConfig(
  entry: PropertyEntry<{ readonly config?: unknown }> | undefined,
  resolved: object,
): Record<string, unknown> | undefined {
  const written = entry?.written?.config as Record<string, unknown> | undefined;
  if (!written) return undefined;
  const rendered = (entry!.props.config ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...(resolved as Record<string, unknown>) };
  for (const [k, v] of Object.entries(written)) {
    if (!sameValue(v, rendered[k]) && sameValue(out[k], rendered[k])) out[k] = v;
  }
  return out;
}

/** Deep equality of plain YAML values (key order ignored). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * A `models:` entry naming a seed (and no model): dbt projects do this, and dbt attaches its
 * tests and descriptions to the seed with a warning. So does etlx, unless the seed has its own
 * `seeds:` entry (then it is described twice).
 */
export function seedEntriesFromModels(p: Properties, modelNames: ReadonlySet<string>, seedNames: ReadonlySet<string>, diagnostics: Diagnostic[]): Properties {
  const moved = [...p.models].filter(([name]) => seedNames.has(name) && !modelNames.has(name));
  if (moved.length === 0) return p;
  const models = new Map(p.models);
  const seeds = new Map(p.seeds);
  for (const [name, entry] of moved) {
    models.delete(name);
    const loc = entry.yaml.locate([...entry.at, 'name']);
    const where = { file: entry.yaml.file, line: loc?.line, column: loc?.column };
    const prev = seeds.get(name);
    if (prev) {
      const prevLoc = prev.yaml.locate([...prev.at, 'name']);
      diagnostics.push({
        code: 'E_DUPLICATE_PROPERTIES',
        message: `seed "${name}" is described twice: under models: here and under seeds: at ${prev.yaml.file}:${prevLoc?.line ?? '?'}`,
        ...where,
        hint: 'merge the two entries into the seeds: one',
      });
      continue;
    }
    diagnostics.push({
      code: 'W_MODELS_ENTRY_IS_SEED',
      severity: 'warn',
      message: `"${name}" under models: is a seed; its description and tests are attached to the seed`,
      ...where,
      hint: 'move the entry under seeds: to silence this warning',
    });
    seeds.set(name, entry as unknown as PropertyEntry<RawSeedProperties>);
  }
  return { ...p, models, seeds };
}
