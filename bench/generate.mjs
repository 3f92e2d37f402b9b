// Deterministic project generator for benchmarks: N models (chains, fan-in, fan-out), a source
// over a staging Parquet file of M rows, tests, and config both in YAML and in the SQL files.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A small linear congruential generator: the same seed gives the same project. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Writes a project to `dir`.
 * - models: total model count; about 5% are staging views over the source, the rest are tables
 *   that ref 1-3 earlier models (so the DAG has chains, fan-in and fan-out).
 * - rows: rows in staging/events.parquet.
 * - wide: when true every non-staging model refs only staging models (a wide, shallow DAG).
 */
export async function generateProject(dir, { models, rows, seed = 42, wide = false }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'models', 'staging'), { recursive: true });
  mkdirSync(path.join(dir, 'models', 'marts'), { recursive: true });
  mkdirSync(path.join(dir, 'macros'), { recursive: true });
  mkdirSync(path.join(dir, 'staging'), { recursive: true });
  const rand = rng(seed);
  writeFileSync(
    path.join(dir, 'etlx.yml'),
    `name: bench\nvars:\n  bump: 1\nmodels:\n  materialized: table\n  staging:\n    +materialized: view\n    +tags: [staging]\n`,
  );
  writeFileSync(path.join(dir, 'macros', 'safe_add.sql'), '(coalesce({{a}}, 0) + coalesce({{b}}, 0))');
  writeFileSync(
    path.join(dir, 'models', 'sources.yml'),
    `sources:\n  - name: raw\n    tables:\n      - name: events\n        location: staging/events.parquet\n`,
  );
  const staging = Math.max(1, Math.round(models * 0.05));
  const names = [];
  for (let i = 0; i < models; i++) {
    const isStaging = i < staging;
    const name = isStaging ? `stg_${i}` : `m_${i}`;
    names.push(name);
    let sql;
    if (isStaging) {
      sql = `-- staging view ${i}\nselect id, grp, val * ${1 + (i % 7)} as val\nfrom {{source "raw" "events"}}\nwhere id % ${staging} = ${i % staging} or true\n`;
    } else {
      const pool = wide ? staging : i;
      const k = 1 + Math.floor(rand() * 3);
      const parents = [];
      // Half the models continue the previous one (chains); the rest pick at random (fan-in/out).
      if (!wide && rand() < 0.5) parents.push(names[i - 1]);
      while (parents.length < k) {
        const p = names[Math.floor(rand() * pool)];
        if (!parents.includes(p)) parents.push(p);
        if (parents.length >= pool) break;
      }
      const inFile = i % 2 === 0 ? `{{config materialized="table" tags="generated,layer_${i % 5}"}}\n` : '';
      const [first, ...rest] = parents;
      const joins = rest.map((p, j) => `join {{ref "${p}"}} as p${j + 1} using (id)`).join('\n');
      const valueExpr = rest.length === 0 ? 'p0.val' : `{{> safe_add a="p0.val" b="p1.val"}}`;
      sql = `${inFile}-- model ${i}: ${parents.length} parent(s)\nselect p0.id, p0.grp, ${valueExpr} + {{var "bump" 1}} as val\nfrom {{ref "${first}"}} as p0\n${joins}\n{{#if (eq target.name "never")}}where false{{/if}}\n`;
    }
    writeFileSync(path.join(dir, 'models', isStaging ? 'staging' : 'marts', `${name}.sql`), sql);
  }
  // Properties files of 100 models each: descriptions, config for odd models, tests on some.
  for (let start = 0; start < models; start += 100) {
    const lines = ['version: 2', 'models:'];
    for (let i = start; i < Math.min(models, start + 100); i++) {
      const name = names[i];
      lines.push(`  - name: ${name}`, `    description: generated model ${i}`);
      if (i >= staging && i % 2 === 1) lines.push('    config:', '      materialized: table', `      tags: [yaml, layer_${i % 5}]`);
      if (i % 5 === 0) lines.push('    columns:', '      - name: id', '        tests: [not_null]');
    }
    writeFileSync(path.join(dir, 'models', `_props_${String(start / 100).padStart(4, '0')}.yml`), `${lines.join('\n')}\n`);
  }
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    `copy (select i as id, i % 97 as grp, (hash(i) % 1000)::bigint as val from range(${rows}) t(i)) to '${path.join(dir, 'staging', 'events.parquet')}' (format parquet)`,
  );
  c.closeSync();
  db.closeSync();
  return { dir, models: names };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, n, m] = process.argv.slice(2);
  await generateProject(path.resolve(dir ?? 'bench/out/project'), { models: Number(n ?? 100), rows: Number(m ?? 1000) });
  console.log(`generated ${n ?? 100} models in ${dir ?? 'bench/out/project'}`);
}
