import { describe, expect, it } from 'vitest';
import type { ModelNode, Node } from '../../../src/parse/nodes.js';
import type { ParsedProject } from '../../../src/parse/parse-project.js';
import { Dag } from '../../../src/graph/dag.js';
import { threshold } from '../../../src/materialize/test.js';
import { runParents } from '../../../src/plan/execution.js';
import { explainError } from '../../../src/run/errors.js';

describe('threshold', () => {
  it.each([
    ['> 10', 10, false],
    ['> 10', 11, true],
    ['>= 10', 10, true],
    ['>= 10', 9, false],
    ['< 3', 2, true],
    ['< 3', 3, false],
    ['<= 3', 3, true],
    ['<= 3', 4, false],
    ['= 0', 0, true],
    ['== 5', 5, true],
    ['== 5', 4, false],
    ['!= 0', 0, false],
    ['!= 0', 1, true],
    ['  >   2  ', 3, true],
    ['>2', 2, false],
  ] as const)('%s with %i failures -> %s', (cond, n, hit) => {
    expect(threshold(cond, n)).toBe(hit);
  });

  it('an unreadable condition falls back to "any failure"', () => {
    expect(threshold('', 0)).toBe(false);
    expect(threshold('', 1)).toBe(true);
    expect(threshold('more than 3', 2)).toBe(true);
    expect(threshold('> -1', 0)).toBe(false);
  });
});

describe('explainError', () => {
  it('adds a hint for extensions that are not bundled', () => {
    const m = explainError('IO Error: Failed to download extension "httpfs"');
    expect(m).toMatch(/^IO Error: Failed to download extension "httpfs"\n  hint: only DuckDB's bundled extensions/);
  });
  it('says "interrupted" for an interrupted query and leaves other messages alone', () => {
    expect(explainError('INTERRUPT Error: Interrupted!')).toBe('interrupted');
    expect(explainError('Conversion Error: Could not convert string')).toBe('Conversion Error: Could not convert string');
  });
});

describe('runParents', () => {
  /** A project with just the nodes and DAG runParents reads. */
  function project(nodes: Record<string, { kind: 'ephemeral' | 'table' | 'source' | 'seed'; deps: string[] }>): ParsedProject {
    const map = new Map<string, Node>();
    for (const [id, n] of Object.entries(nodes)) {
      map.set(
        id,
        (n.kind === 'source' || n.kind === 'seed'
          ? { id, resourceType: n.kind }
          : ({ id, resourceType: 'model', mat: { kind: n.kind } } as unknown as ModelNode)) as unknown as Node,
      );
    }
    const dag = Dag.build(Object.entries(nodes).map(([id, n]) => ({ id, deps: n.deps })));
    return { nodes: map, dag } as unknown as ParsedProject;
  }

  it('looks through ephemeral models (chains of them too) to what they read', () => {
    const p = project({
      src: { kind: 'source', deps: [] },
      seed: { kind: 'seed', deps: [] },
      base: { kind: 'table', deps: ['seed'] },
      e1: { kind: 'ephemeral', deps: ['base', 'src'] },
      e2: { kind: 'ephemeral', deps: ['e1'] },
      mart: { kind: 'table', deps: ['e2', 'seed'] },
    });
    expect(runParents(p, 'mart')).toEqual(['base', 'seed', 'src']);
    expect(runParents(p, 'base')).toEqual(['seed']);
    expect(runParents(p, 'seed')).toEqual([]);
  });
});
