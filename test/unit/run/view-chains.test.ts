import { describe, expect, it } from 'vitest';
import { viewChainWarnings, VIEW_EXPANSION_LIMIT } from '../../../src/plan/view-chains.js';
import { parse } from '../compile/memory-project.js';

/** Views that each join the two views of the layer below: bindings double per layer. */
function diamonds(layers: number, middle: 'view' | 'table' = 'view'): Record<string, string> {
  const files: Record<string, string> = { 'etlx.yml': 'name: proj\n', 'models/l0_a.sql': 'select 1 as id', 'models/l0_b.sql': 'select 1 as id' };
  for (let l = 1; l <= layers; l++) {
    for (const side of ['a', 'b']) {
      const kind = l === Math.floor(layers / 2) ? middle : 'view';
      files[`models/l${l}_${side}.sql`] = `{{config materialized="${kind}"}}\nselect x.id from {{ref "l${l - 1}_a"}} x join {{ref "l${l - 1}_b"}} y using (id)`;
    }
  }
  return files;
}

describe('view chain warnings', () => {
  it('warn when a view expands to more bindings than the limit, naming the chain and a link to make a table', () => {
    const p = parse(diamonds(7));
    const warnings = viewChainWarnings(p, new Set(p.nodes.keys()));
    // Layer l expands to 2^(l+1) - 1 bindings: 255 at layer 7 and 127 at layer 6 pass the limit of 64.
    expect(VIEW_EXPANSION_LIMIT).toBe(64);
    expect(warnings.map((w) => w.file)).toEqual(['models/l6_a.sql', 'models/l6_b.sql', 'models/l7_a.sql', 'models/l7_b.sql']);
    expect(warnings[2]!.message).toContain('view l7_a expands to 255 view bindings through the chain l0_a -> l1_a -> l2_a');
    expect(warnings[2]!.hint).toMatch(/materialize a link of the chain as a table, e\.g\. \{\{config materialized="table"\}\} in l\d_a/);
  });

  it('stay quiet for shallow views, and when a table breaks the chain', () => {
    const shallow = parse(diamonds(4));
    expect(viewChainWarnings(shallow, new Set(shallow.nodes.keys()))).toEqual([]);
    const broken = parse(diamonds(7, 'table'));
    expect(viewChainWarnings(broken, new Set(broken.nodes.keys()))).toEqual([]);
  });

  it('count a parent joined twice as two bindings: a self-joining chain 14 deep warns', () => {
    const files: Record<string, string> = { 'etlx.yml': 'name: proj\n', 'models/v0.sql': 'select 1 as id' };
    for (let l = 1; l <= 14; l++) files[`models/v${l}.sql`] = `select a.id from {{ref "v${l - 1}"}} a join {{ref "v${l - 1}"}} b using (id)`;
    const p = parse(files);
    const warnings = viewChainWarnings(p, new Set(p.nodes.keys()));
    // Level l binds 2^(l+1) - 1 views: 127 at level 6 is the first past the limit.
    expect(warnings.find((w) => w.file === 'models/v6.sql')!.message).toContain('view v6 expands to 127 view bindings');
    expect(warnings.find((w) => w.file === 'models/v5.sql')).toBeUndefined();
    expect(warnings.map((w) => w.file)).toContain('models/v14.sql');
  });
});
