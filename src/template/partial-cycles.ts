import type { TemplateIR } from './ir.js';

/** Macros that include one another without end: `path` starts and ends with `name`. */
export interface PartialCycle {
  readonly name: string;
  readonly path: readonly string[];
  /** Where `name` calls the next macro of the cycle, in `name`'s own file. */
  readonly line: number;
  readonly col: number;
}

interface Call {
  readonly to: string;
  readonly line: number;
  readonly col: number;
}

/**
 * The cycles of macros (partials) that include one another unconditionally: a call written
 * outside any block. Such a cycle can only end in a stack overflow, so it is a parse-time error.
 * A call inside a block may be guarded by a condition that ends it (a tree walked with
 * `{{#each children}}`), so those cycles are left to the renderer's depth bound.
 * Each cycle is reported once, at its alphabetically first macro.
 */
export function partialCycles(partials: ReadonlyMap<string, TemplateIR>): PartialCycle[] {
  const calls = new Map<string, Call[]>();
  for (const [name, ir] of partials) {
    calls.set(
      name,
      ir.body.flatMap((s) => (s.k === 'partial' && partials.has(s.name) ? [{ to: s.name, line: s.line, col: s.col }] : [])),
    );
  }
  const out: PartialCycle[] = [];
  for (const start of [...partials.keys()].sort()) {
    const path = shortestLoop(start, calls);
    if (!path || path.some((n) => n < start)) continue;
    const first = calls.get(start)!.find((c) => c.to === path[1])!;
    out.push({ name: start, path, line: first.line, col: first.col });
  }
  return out;
}

/** The shortest way from `start` back to itself, breadth first, or undefined. */
function shortestLoop(start: string, calls: ReadonlyMap<string, readonly Call[]>): string[] | undefined {
  const from = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]!;
    for (const { to } of calls.get(at) ?? []) {
      if (to === start) {
        const path = [start];
        for (let n: string | undefined = at; n !== undefined && n !== start; n = from.get(n)) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!from.has(to) && to !== start) {
        from.set(to, at);
        queue.push(to);
      }
    }
  }
  return undefined;
}
