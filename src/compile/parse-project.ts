import path from 'node:path';
import type { FolderConfig } from '../config/folder-config.js';
import { folderLayers, normaliseConfigKey } from '../config/folder-config.js';
import {
  propertiesFileSchema,
  toList,
  type RawColumn,
  type RawModelConfig,
  type RawModelProperties,
  type RawSeedConfig,
  type RawSeedProperties,
  type RawSource,
  type TestConfig,
} from '../config/schemas.js';
import { validateYaml } from '../config/validate.js';
import { parseYamlFile, type YamlFile, type YamlPath } from '../config/yaml-file.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import { Dag } from '../graph/dag.js';
import type { TextFile } from '../project/files.js';
import type { ProjectFiles } from '../project/load.js';
import type { TemplateCache } from '../template/cache.js';
import { parseTemplate, type TemplateIR } from '../template/ir.js';
import { partialCycles } from '../template/partial-cycles.js';
import { configFromTemplate, materializationOf, resolveModelConfig, resolveSeedConfig, resolveTestConfig } from './config-merge.js';
import type { ColumnInfo, Freshness, ModelNode, Node, SeedNode, SourceNode, TestNode } from './nodes.js';
import { parseTestEntry, parseTestTarget, type ParsedTestEntry } from './tests.js';

export interface Macro {
  readonly name: string;
  readonly path: string;
  readonly checksum: string;
  readonly ir: TemplateIR;
}

/** The project as nodes and a DAG: no SQL rendered yet. */
export interface ParsedProject {
  readonly name: string;
  readonly root: string;
  readonly files: ProjectFiles;
  readonly nodes: ReadonlyMap<string, Node>;
  readonly models: ReadonlyMap<string, ModelNode>;
  readonly seeds: ReadonlyMap<string, SeedNode>;
  readonly sources: ReadonlyMap<string, SourceNode>;
  readonly tests: ReadonlyMap<string, TestNode>;
  readonly macros: ReadonlyMap<string, Macro>;
  /** Edges: parent -> child, for every node kind (source/seed/model -> model -> test). */
  readonly dag: Dag;
  readonly diagnostics: readonly Diagnostic[];
}

export const idOf = {
  model: (project: string, name: string) => `model.${project}.${name}`,
  seed: (project: string, name: string) => `seed.${project}.${name}`,
  test: (project: string, name: string) => `test.${project}.${name}`,
  source: (project: string, source: string, table: string) => `source.${project}.${source}.${table}`,
};

function parseWithCache(file: TextFile, cache: TemplateCache | undefined): TemplateIR {
  const hit = cache?.get(file.checksum);
  if (hit) return hit;
  const ir = parseTemplate(file.text);
  if (ir.problems.length === 0) cache?.set(file.checksum, ir);
  return ir;
}

interface PropertyEntry<P> {
  readonly props: P;
  readonly yaml: YamlFile;
  readonly at: YamlPath;
}

/**
 * Turns loaded files into nodes: templates parsed, configs resolved, properties and tests
 * attached, dependencies checked, and the DAG built. Pure: all input comes from `files`.
 */
export function parseProject(files: ProjectFiles, cache?: TemplateCache): ParsedProject {
  const diagnostics: Diagnostic[] = [];
  const project = files.config.name;
  const root = files.root;

  // Macros first: models may use their refs.
  const macros = new Map<string, Macro>();
  for (const f of files.macros) {
    const base = files.config.macroPaths.find((p) => f.path.startsWith(`${p.replace(/\/$/, '')}/`)) ?? 'macros';
    const name = f.path.slice(base.replace(/\/$/, '').length + 1).replace(/\.sql$/, '');
    const ir = parseWithCache(f, cache);
    reportTemplateProblems(ir, f.path, diagnostics);
    macros.set(name, { name, path: f.path, checksum: f.checksum, ir });
  }
  for (const c of partialCycles(new Map([...macros].map(([name, m]) => [name, m.ir])))) {
    const next = c.path[1]!;
    diagnostics.push({
      code: 'E_MACRO_RECURSION',
      message: `macro "${c.name}" includes itself: ${c.path.join(' -> ')}`,
      file: macros.get(c.name)!.path,
      line: c.line,
      column: c.col,
      hint: `rendering it would never end; remove {{> ${next}}}${next === c.name ? '' : ` or the call back to ${c.name} in ${next}`}, or put the call under a condition that ends`,
    });
  }

  // Properties files.
  const modelProps = new Map<string, PropertyEntry<RawModelProperties>>();
  const seedProps = new Map<string, PropertyEntry<RawSeedProperties>>();
  const sourceDefs: { source: RawSource; yaml: YamlFile; at: YamlPath }[] = [];
  for (const f of files.properties) {
    const parsed = parseYamlFile(f.text, f.path);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.yaml || parsed.yaml.data === null || parsed.yaml.data === undefined) continue;
    const data = normaliseHookKeys(parsed.yaml.data);
    const { value, diagnostics: d } = validateYaml(propertiesFileSchema, parsed.yaml, data, [], f.path);
    diagnostics.push(...d);
    if (!value) continue;
    const register = <P extends { name: string }>(list: P[] | undefined, kind: string, into: Map<string, PropertyEntry<P>>) =>
      list?.forEach((props, i) => {
        const prev = into.get(props.name);
        if (prev) {
          const loc = parsed.yaml!.locate([kind, i, 'name']);
          const prevLoc = prev.yaml.locate([...prev.at, 'name']);
          diagnostics.push({
            code: 'E_DUPLICATE_PROPERTIES',
            message: `${kind.slice(0, -1)} "${props.name}" is described twice (also at ${prev.yaml.file}:${prevLoc?.line ?? '?'})`,
            file: f.path,
            line: loc?.line,
            column: loc?.column,
            hint: 'merge the two entries into one',
          });
        } else into.set(props.name, { props, yaml: parsed.yaml!, at: [kind, i] });
      });
    register(value.models, 'models', modelProps);
    register(value.seeds, 'seeds', seedProps);
    value.sources?.forEach((source, i) => sourceDefs.push({ source, yaml: parsed.yaml!, at: ['sources', i] }));
  }

  // Models.
  const models = new Map<string, ModelNode>();
  const modelFiles = new Map<string, string>();
  for (const f of files.models) {
    const name = path.posix.basename(f.path, '.sql');
    const prevFile = modelFiles.get(name);
    if (prevFile) {
      diagnostics.push({
        code: 'E_DUPLICATE_NAME',
        message: `two models are named "${name}": ${prevFile} and ${f.path}`,
        file: f.path,
        line: 1,
        hint: 'model names are file names and must be unique across the project; rename one file',
      });
      continue;
    }
    modelFiles.set(name, f.path);
    const ir = parseWithCache(f, cache);
    reportTemplateProblems(ir, f.path, diagnostics);
    const folders = foldersOf(f.path, files.config.modelPaths);
    const entry = modelProps.get(name);
    const propsConfig = entry?.props.config ?? {};
    const layers: RawModelConfig[] = [
      ...folderLayers(files.config.models as FolderConfig<RawModelConfig>, [...folders, name]),
      propsConfig,
      configFromTemplate(ir.config, f.path, 'model', diagnostics) as RawModelConfig,
    ];
    const config = resolveModelConfig(layers);
    const description = entry?.props.description ?? config.description;
    const { spec, problems } = materializationOf(name, config, root, layers.some((l) => l.incremental_strategy !== undefined));
    for (const p of problems) {
      const use = ir.config.find((c) => c.key === p.key) ?? ir.config[0];
      diagnostics.push({ code: 'E_CONFIG_VALUE', message: `model ${name}: ${p.message}`, file: f.path, line: use?.line ?? 1, column: use?.col, hint: p.hint });
    }
    if (!spec) continue;
    models.set(name, {
      resourceType: 'model',
      id: idOf.model(project, name),
      name,
      path: f.path,
      absPath: f.absPath,
      packageName: project,
      raw: f.text,
      checksum: f.checksum,
      ir,
      config,
      mat: spec,
      tags: config.tags,
      ...(description !== undefined ? { description } : {}),
      columns: columnsOf(entry?.props.columns),
      macros: macrosUsed(ir, macros),
      fqn: folders,
    });
  }
  for (const [name, entry] of modelProps) {
    if (!models.has(name) && !modelFiles.has(name)) {
      const loc = entry.yaml.locate([...entry.at, 'name']);
      diagnostics.push({
        code: 'E_PROPERTIES_UNKNOWN_MODEL',
        message: `properties for model "${name}", but there is no models/**/${name}.sql${didYouMeanSuffix(name, modelFiles.keys())}`,
        file: entry.yaml.file,
        line: loc?.line,
        column: loc?.column,
        hint: 'fix the name, or remove the entry',
      });
    }
  }

  // Seeds.
  const seeds = new Map<string, SeedNode>();
  for (const f of files.seeds) {
    const name = path.posix.basename(f.path, '.csv');
    if (seeds.has(name)) {
      diagnostics.push({ code: 'E_DUPLICATE_NAME', message: `two seeds are named "${name}": ${seeds.get(name)!.path} and ${f.path}`, file: f.path, hint: 'rename one file' });
      continue;
    }
    if (modelFiles.has(name)) {
      diagnostics.push({
        code: 'E_DUPLICATE_NAME',
        message: `seed ${f.path} and model ${modelFiles.get(name)} share the name "${name}"`,
        file: f.path,
        hint: 'ref() could not tell them apart; rename the seed or the model',
      });
      continue;
    }
    const entry = seedProps.get(name);
    const folders = foldersOf(f.path, files.config.seedPaths);
    const config = resolveSeedConfig([
      ...folderLayers(files.config.seeds as FolderConfig<RawSeedConfig>, [...folders, name]),
      entry?.props.config ?? {},
    ]);
    const description = entry?.props.description ?? undefined;
    seeds.set(name, {
      resourceType: 'seed',
      id: idOf.seed(project, name),
      name,
      path: f.path,
      absPath: f.absPath,
      packageName: project,
      checksum: f.checksum,
      config,
      tags: config.tags,
      ...(description !== undefined ? { description } : {}),
      columns: columnsOf(entry?.props.columns),
    });
  }
  for (const [name, entry] of seedProps) {
    if (!seeds.has(name)) {
      const loc = entry.yaml.locate([...entry.at, 'name']);
      diagnostics.push({
        code: 'E_PROPERTIES_UNKNOWN_SEED',
        message: `properties for seed "${name}", but there is no seeds/${name}.csv${didYouMeanSuffix(name, seeds.keys())}`,
        file: entry.yaml.file,
        line: loc?.line,
        column: loc?.column,
        hint: 'fix the name, or remove the entry',
      });
    }
  }

  // Sources.
  const sources = new Map<string, SourceNode>();
  const sourceTests: { node: SourceNode; yaml: YamlFile; at: YamlPath; tests: { data_tests?: unknown; tests?: unknown }; columns: RawColumn[] | undefined }[] = [];
  for (const { source, yaml, at } of sourceDefs) {
    source.tables.forEach((t, i) => {
      const key = `${source.name}.${t.name}`;
      const tAt: YamlPath = [...at, 'tables', i];
      const locate = () => yaml.locate([...tAt, 'name']);
      if (sources.has(key)) {
        const loc = locate();
        diagnostics.push({ code: 'E_DUPLICATE_NAME', message: `source table ${key} is declared twice`, file: yaml.file, line: loc?.line, column: loc?.column, hint: 'remove one declaration' });
        return;
      }
      const location = t.location;
      const fresh = t.freshness === undefined ? source.freshness : t.freshness;
      const loadedAt = fresh?.loaded_at_field ?? t.loaded_at_field ?? source.loaded_at_field;
      let freshness: Freshness | undefined;
      if (fresh && (fresh.warn_after || fresh.error_after)) {
        if (!loadedAt) {
          const loc = locate();
          diagnostics.push({
            code: 'E_FRESHNESS',
            message: `source ${key} has freshness but no loaded_at_field`,
            file: yaml.file,
            line: loc?.line,
            column: loc?.column,
            hint: 'add loaded_at_field: <timestamp column> beside warn_after/error_after',
          });
        } else {
          freshness = {
            loadedAtField: loadedAt,
            ...(fresh.warn_after ? { warnAfter: fresh.warn_after } : {}),
            ...(fresh.error_after ? { errorAfter: fresh.error_after } : {}),
            ...(fresh.filter ? { filter: fresh.filter } : {}),
          };
        }
      }
      const node: SourceNode = {
        resourceType: 'source',
        id: idOf.source(project, source.name, t.name),
        name: t.name,
        sourceName: source.name,
        path: yaml.file,
        packageName: project,
        kind: location ? 'file' : 'table',
        ...(location ? { location, absLocation: path.resolve(root, location), format: t.format ?? formatOfPath(location) } : {}),
        options: { ...(source.options ?? {}), ...(t.options ?? {}) },
        schema: t.schema ?? source.schema ?? source.name,
        identifier: t.identifier ?? t.name,
        ...(freshness ? { freshness } : {}),
        columns: columnsOf(t.columns),
        tags: [...toList(source.tags), ...toList(t.tags)],
        ...(t.description !== undefined ? { description: t.description } : {}),
        get line() {
          return locate()?.line;
        },
      };
      sources.set(key, node);
      sourceTests.push({ node, yaml, at: tAt, tests: { data_tests: t.data_tests, tests: t.tests }, columns: t.columns });
    });
  }

  // Check refs and sources used by templates.
  const refTargets = new Map<string, string>();
  for (const m of models.values()) refTargets.set(m.name, m.id);
  for (const s of seeds.values()) refTargets.set(s.name, s.id);
  const deps = new Map<string, string[]>();
  const checkTemplateDeps = (ownerId: string, file: string, ir: TemplateIR, usedMacros: readonly string[]) => {
    const out: string[] = [];
    const all = [ir, ...usedMacros.map((m) => macros.get(m)?.ir).filter((x): x is TemplateIR => x !== undefined)];
    for (const t of all) {
      const fromMacro = t !== ir;
      for (const r of t.refs) {
        const target = refTargets.get(r.name);
        const model = models.get(r.name);
        if (!target) {
          const guess = closest(r.name, refTargets.keys());
          diagnostics.push({
            code: 'E_REF_NOT_FOUND',
            message: `ref "${r.name}" not found${guess ? `; did you mean "${guess}"?` : ''}${fromMacro ? ' (used in a macro)' : ''}`,
            file,
            line: fromMacro ? undefined : r.line,
            column: fromMacro ? undefined : r.col,
            hint: guess ? `change it to {{ref "${guess}"}}` : 'a ref names a model (models/**/<name>.sql) or a seed (seeds/<name>.csv)',
          });
        } else if (model && !model.config.enabled) {
          diagnostics.push({ code: 'E_REF_DISABLED', message: `ref "${r.name}" points at a disabled model`, file, line: r.line, column: r.col, hint: `enable ${r.name} or remove the ref` });
        } else if (target === ownerId) {
          diagnostics.push({ code: 'E_CYCLE', message: `model refs itself: ${r.name} -> ${r.name}`, file, line: r.line, column: r.col, hint: 'use {{self}} for the model\'s own relation (in incremental models)' });
        } else out.push(target);
      }
      for (const s of t.sources) {
        const node = sources.get(`${s.source}.${s.table}`);
        if (!node) {
          const candidates = [...sources.keys()];
          const guess = closest(`${s.source}.${s.table}`, candidates);
          const knownSource = [...sources.values()].some((x) => x.sourceName === s.source);
          diagnostics.push({
            code: 'E_SOURCE_NOT_FOUND',
            message: `source "${s.source}" "${s.table}" not found${guess ? `; did you mean "${guess.replace('.', '" "')}"?` : ''}`,
            file,
            line: s.line,
            column: s.col,
            hint: knownSource
              ? `declare table ${s.table} under source ${s.source} in a models/*.yml file`
              : `declare it in a models/*.yml file: sources: [{name: ${s.source}, tables: [{name: ${s.table}, location: ...}]}]`,
          });
        } else out.push(node.id);
      }
    }
    deps.set(ownerId, [...new Set(out)].sort());
  };
  for (const m of models.values()) {
    if (m.config.enabled) checkTemplateDeps(m.id, m.path, m.ir, m.macros);
  }
  for (const m of models.values()) {
    for (const name of m.macros) {
      if (!macros.has(name)) {
        const use = m.ir.partials.find((p) => p.name === name);
        diagnostics.push({
          code: 'E_MACRO_NOT_FOUND',
          message: `macro "${name}" not found${didYouMeanSuffix(name, macros.keys())}`,
          file: m.path,
          line: use?.line,
          column: use?.col,
          hint: `macros are files in ${files.config.macroPaths[0] ?? 'macros'}/: {{> ${name}}} reads ${files.config.macroPaths[0] ?? 'macros'}/${name}.sql`,
        });
      }
    }
  }

  // Tests.
  const tests = new Map<string, TestNode>();
  const counters = new Map<string, number>();
  const uniqueName = (base: string) => {
    const n = (counters.get(base) ?? 0) + 1;
    counters.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  };
  const addGeneric = (
    owner: ModelNode | SeedNode | SourceNode,
    ownerLabel: string,
    column: string | undefined,
    parsed: ParsedTestEntry,
    file: string,
  ) => {
    const col = column ?? (parsed.args.column_name as string | undefined);
    const name = parsed.config.name ?? uniqueName(`${parsed.kind}_${ownerLabel}${column ? `_${sanitize(column)}` : ''}`);
    const alsoReads: string[] = [];
    const other = parsed.kind === 'relationships' ? String(parsed.args.to) : parsed.kind === 'row_count_matches' ? String(parsed.args.model) : undefined;
    if (other !== undefined) {
      const t = parseTestTarget(other);
      const id = 'source' in t ? sources.get(`${t.source}.${t.table}`)?.id : refTargets.get(t.model);
      if (!id) {
        const shown = 'source' in t ? `${t.source}.${t.table}` : t.model;
        diagnostics.push({
          code: 'E_REF_NOT_FOUND',
          message: `${parsed.kind} test on ${owner.name} points at "${shown}", which does not exist${didYouMeanSuffix(shown, 'source' in t ? sources.keys() : refTargets.keys())}`,
          file,
          line: parsed.line,
          column: parsed.col,
          hint: 'name a model or seed (or source(\'src\', \'table\'))',
        });
        return;
      }
      alsoReads.push(id);
    }
    const id = idOf.test(project, name);
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
      checksum: '',
    });
  };
  const collect = (
    owner: ModelNode | SeedNode | SourceNode,
    label: string,
    yaml: YamlFile,
    at: YamlPath,
    props: { data_tests?: unknown; tests?: unknown },
    columns: RawColumn[] | undefined,
  ) => {
    // `data_tests:` (dbt's spelling) wins over `tests:` when both are there, like below.
    const key = props.data_tests !== undefined ? 'data_tests' : 'tests';
    const list = (props[key] as Parameters<typeof parseTestEntry>[0][] | undefined) ?? [];
    list.forEach((e, i) => {
      const p = parseTestEntry(e, yaml, [...at, key, i], undefined, diagnostics);
      if (p) addGeneric(owner, label, undefined, p, yaml.file);
    });
    columns?.forEach((c, ci) => {
      const cl = c.data_tests ?? c.tests ?? [];
      const key = c.data_tests ? 'data_tests' : 'tests';
      cl.forEach((e, i) => {
        const p = parseTestEntry(e, yaml, [...at, 'columns', ci, key, i], c.name, diagnostics);
        if (p) addGeneric(owner, label, c.name, p, yaml.file);
      });
    });
  };
  for (const [name, entry] of [...modelProps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const m = models.get(name);
    if (!m || !m.config.enabled) continue;
    collect(m, sanitize(name), entry.yaml, entry.at, entry.props, entry.props.columns);
  }
  for (const [name, entry] of [...seedProps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const s = seeds.get(name);
    if (!s || !s.config.enabled) continue;
    collect(s, sanitize(name), entry.yaml, entry.at, entry.props, entry.props.columns);
  }
  for (const st of sourceTests) collect(st.node, `${sanitize(st.node.sourceName)}_${sanitize(st.node.name)}`, st.yaml, st.at, st.tests, st.columns);
  for (const f of files.tests) {
    const name = path.posix.basename(f.path, '.sql');
    const ir = parseWithCache(f, cache);
    reportTemplateProblems(ir, f.path, diagnostics);
    const id = idOf.test(project, name);
    if (tests.has(id)) {
      diagnostics.push({ code: 'E_DUPLICATE_NAME', message: `singular test ${f.path} has the same name as another test ("${name}")`, file: f.path, hint: 'rename the file' });
      continue;
    }
    const rawConfig = configFromTemplate(ir.config, f.path, 'test', diagnostics) as TestConfig;
    const config = resolveTestConfig(rawConfig);
    const node: TestNode = {
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
    };
    tests.set(id, node);
    checkTemplateDeps(id, f.path, ir, macrosUsed(ir, macros));
  }

  // The DAG over every enabled node.
  const nodes = new Map<string, Node>();
  for (const m of models.values()) if (m.config.enabled) nodes.set(m.id, m);
  for (const s of seeds.values()) if (s.config.enabled) nodes.set(s.id, s);
  for (const s of sources.values()) nodes.set(s.id, s);
  for (const t of tests.values()) {
    if (!t.config.enabled) continue;
    nodes.set(t.id, t);
    if (t.testType === 'generic') deps.set(t.id, [...new Set([t.attachedTo!, ...t.alsoReads])].sort());
  }
  const dag = Dag.build([...nodes.keys()].map((id) => ({ id, deps: deps.get(id) ?? [] })));
  const cycle = dag.findCycle();
  if (cycle) {
    const first = nodes.get(cycle[0]!);
    // Point at the ref in the first file that closes the cycle (it names the node before it).
    const previous = nodes.get(cycle[cycle.length - 2] ?? '');
    const ref = first?.resourceType === 'model' && previous ? first.ir.refs.find((r) => r.name === previous.name) : undefined;
    diagnostics.push({
      code: 'E_CYCLE',
      message: `dependency cycle: ${cycle.map((id) => nodes.get(id)?.name ?? id).join(' -> ')}`,
      ...(first ? { file: first.path } : {}),
      ...(ref ? { line: ref.line, column: ref.col } : {}),
      hint: `files in the cycle: ${[...new Set(cycle.map((id) => nodes.get(id)?.path ?? id))].join(', ')}; break it by removing one ref`,
    });
  }
  return { name: project, root, files, nodes, models, seeds, sources, tests, macros, dag, diagnostics };
}

function reportTemplateProblems(ir: TemplateIR, file: string, diagnostics: Diagnostic[]): void {
  for (const p of ir.problems) diagnostics.push({ code: p.code, message: p.message, file, line: p.line, column: p.col, hint: p.hint });
}

/** Folders between the configured root and the file: models/marts/core/x.sql -> ['marts', 'core']. */
function foldersOf(file: string, roots: readonly string[]): string[] {
  for (const r of roots) {
    const prefix = `${r.replace(/\/$/, '')}/`;
    if (file.startsWith(prefix)) return file.slice(prefix.length).split('/').slice(0, -1);
  }
  return file.split('/').slice(1, -1);
}

/** Macros used by a template, directly or through other macros, sorted. */
function macrosUsed(ir: TemplateIR, macros: ReadonlyMap<string, Macro>): string[] {
  const seen = new Set<string>();
  const stack = ir.partials.map((p) => p.name);
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const p of macros.get(name)?.ir.partials ?? []) stack.push(p.name);
  }
  return [...seen].sort();
}

function columnsOf(columns: RawColumn[] | undefined): ColumnInfo[] {
  return (columns ?? []).map((c) => ({
    name: c.name,
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.data_type !== undefined ? { data_type: c.data_type } : {}),
  }));
}

function formatOfPath(location: string): 'parquet' | 'csv' | 'json' | 'ndjson' {
  const l = location.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (l.endsWith('.csv') || l.endsWith('.tsv')) return 'csv';
  if (l.endsWith('.ndjson') || l.endsWith('.jsonl')) return 'ndjson';
  if (l.endsWith('.json')) return 'json';
  return 'parquet';
}

function sanitize(s: string): string {
  return s.replace(/[^\p{L}\p{N}_]+/gu, '_');
}

function didYouMeanSuffix(word: string, candidates: Iterable<string>): string {
  const g = closest(word, candidates);
  return g ? `; did you mean "${g}"?` : '';
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
  return { ...d, ...(d.models ? { models: fix(d.models) } : {}), ...(d.seeds ? { seeds: fix(d.seeds) } : {}) };
}
