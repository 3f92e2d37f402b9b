import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of src/ (see the README's "Where things live"), checked on the source:
 * no import cycles (type-only imports count), the core never imports the CLI, only engine/
 * imports a database client, the CLI reaches the core through src/index.ts, and no file is
 * over 400 lines.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) out.push((m[1] ?? m[2])!);
  return out;
}

const files = sourceFiles(SRC);
const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');
const graph = new Map<string, { local: string[]; packages: string[] }>();
for (const f of files) {
  const local: string[] = [];
  const packages: string[] = [];
  for (const spec of importsOf(f)) {
    if (spec.startsWith('.')) local.push(rel(path.resolve(path.dirname(f), spec).replace(/\.js$/, '.ts')));
    else packages.push(spec);
  }
  graph.set(rel(f), { local, packages });
}
const top = (f: string) => (f.includes('/') ? f.split('/')[0]! : f);

describe('architecture', () => {
  it('has no import cycles, counting type-only imports', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, stack: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'visiting');
      for (const d of graph.get(f)?.local ?? []) visit(d, [...stack, f]);
      state.set(f, 'done');
    };
    for (const f of [...graph.keys()].sort()) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('keeps the core free of the CLI', () => {
    const core = ['run', 'materialize', 'compile', 'parse', 'plan', 'graph', 'template', 'engine', 'config', 'artifacts', 'project', 'report', 'errors', 'util'];
    const offenders = [...graph].filter(([f, g]) => core.includes(top(f)) && g.local.some((d) => top(d) === 'cli')).map(([f]) => f);
    expect(offenders).toEqual([]);
  });

  it('lets only engine/ import a database client', () => {
    const offenders = [...graph].filter(([f, g]) => top(f) !== 'engine' && g.packages.some((p) => /^@duckdb\/|^@clickhouse\/|^duckdb$/.test(p))).map(([f]) => f);
    expect(offenders).toEqual([]);
  });

  it('has the CLI reach the core only through src/index.ts', () => {
    const offenders = [...graph]
      .filter(([f]) => top(f) === 'cli')
      .flatMap(([f, g]) => g.local.filter((d) => top(d) !== 'cli' && d !== 'index.ts').map((d) => `${f} -> ${d}`));
    expect(offenders).toEqual([]);
  });

  it('keeps every source file at 400 lines or fewer', () => {
    const long = files.map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });
});
