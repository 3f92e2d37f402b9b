import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sink = { write: () => true };
const io = { stdout: sink, stderr: sink, env: { ...process.env, NO_COLOR: '1' } };

/** Random DAGs: each model reads 0-3 earlier models and is a view, a table or ephemeral. */
const projectArb = fc.integer({ min: 2, max: 10 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    parents: fc.array(fc.uniqueArray(fc.nat(n - 1), { maxLength: 3 }), { minLength: n, maxLength: n }),
    kinds: fc.array(fc.constantFrom('view', 'table', 'ephemeral'), { minLength: n, maxLength: n }),
  }),
);

function writeProject(p: { n: number; parents: number[][]; kinds: string[] }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'etlx-prop-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'models'), { recursive: true });
  writeFileSync(path.join(dir, 'etlx.yml'), 'name: prop\n');
  writeFileSync(
    path.join(dir, 'profiles.yml'),
    `prop:\n  target: one\n  outputs:\n    one: {type: duckdb, path: one.duckdb, threads: 1}\n    four: {type: duckdb, path: four.duckdb, threads: 4}\n`,
  );
  for (let i = 0; i < p.n; i++) {
    const parents = p.parents[i]!.filter((x) => x < i);
    const kind = p.kinds[i]!;
    // Each model's rows depend on all its parents', so any ordering mistake changes the result.
    const body =
      parents.length === 0
        ? `select range as k, range * ${i + 1} as v from range(${3 + (i % 4)})`
        : `select k, sum(v) + ${i} as v from (${parents.map((q) => `select k, v from {{ref "m${q}"}}`).join(' union all ')}) group by k`;
    writeFileSync(path.join(dir, 'models', `m${i}.sql`), `{{config materialized="${kind}"}}\n${body}\n`);
  }
  return dir;
}

async function contents(db: string, names: string[]): Promise<Record<string, unknown>> {
  const inst = await DuckDBInstance.create(db);
  const c = await inst.connect();
  const out: Record<string, unknown> = {};
  try {
    for (const name of names) {
      const r = await c.runAndReadAll(`select k::varchar as k, v::varchar as v from "main"."${name}" order by k`);
      out[name] = r.getRowObjectsJS();
    }
  } finally {
    c.closeSync();
    inst.closeSync();
  }
  return out;
}

describe('random DAGs', () => {
  it('build the same warehouse with one thread and with --threads 4', async () => {
    await fc.assert(
      fc.asyncProperty(projectArb, async (p) => {
        const dir = writeProject(p);
        expect(await main(['run', '--project-dir', dir, '--target', 'one'], io)).toBe(0);
        expect(await main(['run', '--project-dir', dir, '--target', 'four', '--threads', '4'], io)).toBe(0);
        const built = p.kinds.map((k, i) => (k === 'ephemeral' ? undefined : `m${i}`)).filter((x): x is string => x !== undefined);
        const one = await contents(path.join(dir, 'one.duckdb'), built);
        const four = await contents(path.join(dir, 'four.duckdb'), built);
        expect(four).toEqual(one);
      }),
      { numRuns: 12 },
    );
  });
});
