import path from 'node:path';
import { toList, type RawSource, type RawSourceWait } from '../config/schemas.js';
import { DURATION_HINT, parseDuration } from '../util/duration.js';
import type { YamlPath } from '../config/yaml-file.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { idOf, type Freshness, type SourceNode } from './nodes.js';
import { columnsOf, type PropertyEntry, type TestDeclarations } from './properties.js';

export interface ParsedSources {
  readonly sources: ReadonlyMap<string, SourceNode>;
  /** Each table's tests, in declaration order, for parse/tests.ts. */
  readonly tests: readonly (TestDeclarations & { readonly node: SourceNode })[];
}

/**
 * One node per table of each `sources:` entry, keyed `source.table`. A table's settings override
 * its source's; `options` merge and tags add up.
 */
export function parseSources(project: string, root: string, entries: readonly PropertyEntry<RawSource>[], diagnostics: Diagnostic[]): ParsedSources {
  const sources = new Map<string, SourceNode>();
  const tests: (TestDeclarations & { node: SourceNode })[] = [];
  for (const { props: source, yaml, at, written } of entries) {
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
      const wait = sourceWait(t.wait ?? source.wait, () => {
        const loc = yaml.locate([...(t.wait ? tAt : at), 'wait']);
        return { file: yaml.file, line: loc?.line, column: loc?.column };
      }, diagnostics);
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
        ...(wait ? { wait } : {}),
        columns: columnsOf(t.columns),
        tags: [...toList(source.tags), ...toList(t.tags)],
        ...(t.description !== undefined ? { description: t.description } : {}),
        ...(written ? { unrendered: sourceAsWritten(written, i) } : {}),
        // A getter: the YAML file is parsed for positions only if the line is ever shown.
        get line() {
          return locate()?.line;
        },
      };
      sources.set(key, node);
      tests.push({ node, yaml, at: tAt, tests: { data_tests: t.data_tests, tests: t.tests }, columns: t.columns });
    });
  }
  return { sources, tests };
}

/** A poll when `wait:` gives none. */
export const DEFAULT_SOURCE_POLL_MS = 5000;

function sourceWait(
  raw: RawSourceWait | undefined,
  at: () => { file: string; line: number | undefined; column: number | undefined },
  diagnostics: Diagnostic[],
): { timeoutMs?: number; pollMs: number } | undefined {
  if (!raw) return undefined;
  const timeoutMs = raw.timeout === undefined ? undefined : parseDuration(raw.timeout);
  const pollMs = raw.poll === undefined ? DEFAULT_SOURCE_POLL_MS : parseDuration(raw.poll);
  for (const [key, v, ms] of [['timeout', raw.timeout, timeoutMs], ['poll', raw.poll, pollMs]] as const) {
    if (v !== undefined && (ms === undefined || (key === 'poll' && ms <= 0))) {
      diagnostics.push({ code: 'E_CONFIG_VALUE', message: `wait.${key} must be a duration, not "${String(v)}"`, ...at(), hint: DURATION_HINT });
      return undefined;
    }
  }
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), pollMs: pollMs! };
}

/** A table's location, options and names as written (templates unrendered), for state:modified. */
function sourceAsWritten(source: RawSource, i: number): Record<string, unknown> {
  const t = source.tables[i]!;
  return {
    location: t.location,
    options: { ...(source.options ?? {}), ...(t.options ?? {}) },
    schema: t.location ? undefined : (t.schema ?? source.schema ?? source.name),
    identifier: t.identifier ?? t.name,
  };
}

function formatOfPath(location: string): 'parquet' | 'csv' | 'json' | 'ndjson' {
  const l = location.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (l.endsWith('.csv') || l.endsWith('.tsv')) return 'csv';
  if (l.endsWith('.ndjson') || l.endsWith('.jsonl')) return 'ndjson';
  if (l.endsWith('.json')) return 'json';
  return 'parquet';
}
