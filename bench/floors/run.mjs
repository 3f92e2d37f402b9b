// The run floor: the least a Node process can do to get etlx's results from DuckDB. It opens
// DuckDB with @duckdb/node-api and sends the plain statement for each model in dependency
// order, read from an etlx manifest (`CREATE OR REPLACE TABLE/VIEW name AS <compiled select>`,
// or `COPY (<select>) TO ...` for a file model), or one `CREATE TABLE AS SELECT * FROM
// read_csv(...)` per seed, or (mode open-close) only opens and closes an in-memory database.
// bench/run.mjs bundles it into one file with esbuild, as etlx is, so both pay the same
// module-loading cost. Usage: node run.cjs <project dir> <database file> models|seeds|open-close
import { readFileSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, dbFile, mode = 'models'] = process.argv.slice(2);

async function main() {
  if (mode === 'open-close') {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    c.closeSync();
    db.closeSync();
    return;
  }
  const root = path.resolve(dir);
  process.chdir(root);
  const db = await DuckDBInstance.create(path.resolve(dbFile));
  const c = await db.connect();
  if (mode === 'seeds') {
    for (const f of readdirSync(path.join(root, 'seeds')).filter((x) => x.endsWith('.csv')).sort()) {
      await c.run(`create or replace table "main"."${f.slice(0, -4)}" as select * from read_csv('${path.join(root, 'seeds', f)}')`);
    }
  } else {
    const manifest = JSON.parse(readFileSync(path.join(root, 'target', 'manifest.json'), 'utf8'));
    const models = Object.values(manifest.nodes).filter((n) => n.resource_type === 'model' && n.config.materialized !== 'ephemeral');
    const byId = new Map(models.map((m) => [m.unique_id, m]));
    const done = new Set();
    const order = [];
    const visit = (id) => {
      if (done.has(id) || !byId.has(id)) return;
      done.add(id);
      for (const p of manifest.parent_map[id] ?? []) visit(p);
      order.push(byId.get(id));
    };
    for (const m of [...models].sort((a, b) => (a.unique_id < b.unique_id ? -1 : 1))) visit(m.unique_id);
    const schemas = new Set(models.map((m) => m.config.schema ?? 'main'));
    for (const s of schemas) await c.run(`create schema if not exists "${s}"`);
    for (const m of order) {
      const sql = m.compiled_code;
      const kind = m.config.materialized;
      if (kind === 'view') await c.run(`create or replace view ${m.relation_name} as ${sql}`);
      else if (kind === 'file') {
        const loc = path.resolve(root, m.config.location);
        rmSync(loc, { recursive: true, force: true });
        mkdirSync(path.dirname(loc), { recursive: true });
        const part = m.config.partition_by.length > 0 ? `, partition_by (${m.config.partition_by.join(', ')})` : '';
        await c.run(`copy (${sql}) to '${loc}' (format ${m.config.format}${part})`);
      } else await c.run(`create or replace table ${m.relation_name} as ${sql}`);
    }
  }
  c.closeSync();
  db.closeSync();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
