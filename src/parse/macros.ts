import type { Diagnostic } from '../errors/diagnostic.js';
import type { ProjectFiles } from '../project/load.js';
import type { TemplateIR } from '../template/ir.js';
import type { TemplateCache } from '../template/cache.js';
import { partialCycles } from '../template/partial-cycles.js';
import { parseTemplateFile } from './templates.js';

export interface Macro {
  readonly name: string;
  readonly path: string;
  readonly checksum: string;
  readonly ir: TemplateIR;
}

/** Macros by name: the path below its macro folder, without `.sql`. */
export function parseMacros(files: ProjectFiles, cache: TemplateCache | undefined, diagnostics: Diagnostic[]): Map<string, Macro> {
  const macros = new Map<string, Macro>();
  for (const f of files.macros) {
    const base = files.config.macroPaths.find((p) => f.path.startsWith(`${p.replace(/\/$/, '')}/`)) ?? 'macros';
    const name = f.path.slice(base.replace(/\/$/, '').length + 1).replace(/\.sql$/, '');
    const ir = parseTemplateFile(f, cache, diagnostics);
    macros.set(name, { name, path: f.path, checksum: f.checksum, ir });
  }
  // A macro that includes itself (directly or through others) outside any block never ends.
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
  return macros;
}

/** Macros used by a template, directly or through other macros, sorted. */
export function macrosUsed(ir: TemplateIR, macros: ReadonlyMap<string, Macro>): string[] {
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
