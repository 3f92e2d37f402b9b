// The compile floor: the least an end-to-end compile of a bench/generate.mjs project can do,
// with the same libraries etlx uses. Walk, read and hash every file, parse the YAML (js-yaml),
// parse every template (Handlebars) and render it for the generator's few constructs (ref,
// source, var, config, one partial, #if eq), check all SQL with one extract_statements call,
// build the manifest in sorted order and JSON.stringify it, write target/compiled. No
// validation, no diagnostics, no caches. bench/run.mjs bundles it with esbuild, as etlx is.
// Usage: node compile.cjs <project dir>
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import duckdb from '@duckdb/node-bindings';
import Handlebars from 'handlebars';
import jsYaml from 'js-yaml';

const root = path.resolve(process.argv[2] ?? '.');
const sha1 = (t) => createHash('sha1').update(t).digest('hex');
const walk = (d, ext, out = []) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const full = `${d}/${e.name}`;
    if (e.isDirectory()) walk(full, ext, out);
    else if (e.name.endsWith(ext)) out.push(full);
  }
  return out.sort();
};

async function main() {
  const dbReady = duckdb.open(':memory:').then((db) => duckdb.connect(db).then((conn) => ({ db, conn })));
  const project = jsYaml.load(readFileSync(`${root}/etlx.yml`, 'utf8'));
  const read = (f) => {
    const text = readFileSync(f, 'utf8');
    return { path: path.relative(root, f), text, checksum: sha1(text) };
  };
  const models = walk(`${root}/models`, '.sql').map(read);
  const props = walk(`${root}/models`, '.yml').map(read);
  const macros = walk(`${root}/macros`, '.sql').map(read);
  const described = new Map();
  const sources = new Map();
  for (const p of props) {
    const y = jsYaml.load(p.text, { schema: jsYaml.CORE_SCHEMA }) ?? {};
    for (const m of y.models ?? []) described.set(m.name, m);
    for (const s of y.sources ?? []) for (const t of s.tables ?? []) sources.set(`${s.name}.${t.name}`, t);
  }
  const partials = new Map(macros.map((m) => [path.basename(m.path, '.sql'), Handlebars.parse(m.text)]));
  const vars = project.vars ?? {};
  const arg = (p, ctx) => (p.type === 'StringLiteral' || p.type === 'NumberLiteral' ? p.value : p.type === 'SubExpression' ? evalSub(p, ctx) : ctx[p.original]);
  const evalSub = (s, ctx) => (s.path.original === 'eq' ? arg(s.params[0], ctx) === arg(s.params[1], ctx) : undefined);
  const nodes = [];
  const render = (program, ctx, node) =>
    program.body
      .map((s) => {
        if (s.type === 'ContentStatement') return s.value;
        if (s.type === 'MustacheStatement') {
          const name = s.path.original;
          if (name === 'ref') return (node.refs.push(s.params[0].value), `"main"."${s.params[0].value}"`);
          if (name === 'source') return `read_parquet('${path.join(root, sources.get(`${s.params[0].value}.${s.params[1].value}`).location)}')`;
          if (name === 'var') return String(vars[s.params[0].value] ?? s.params[1]?.value);
          if (name === 'config') return (s.hash?.pairs.forEach((p) => (node.config[p.key] = p.value.value)), '');
          return String(ctx[name] ?? '');
        }
        if (s.type === 'PartialStatement') return render(partials.get(s.name.original), Object.fromEntries(s.hash.pairs.map((p) => [p.key, p.value.value])), node);
        if (s.type === 'BlockStatement') return arg(s.params[0], ctx) ? render(s.program, ctx, node) : s.inverse ? render(s.inverse, ctx, node) : '';
        return '';
      })
      .join('');
  for (const m of models) {
    const name = path.basename(m.path, '.sql');
    const node = { name, path: m.path, checksum: m.checksum, refs: [], config: { materialized: m.path.includes('staging') ? 'view' : 'table' } };
    node.sql = render(Handlebars.parse(m.text), { target: { name: 'dev' } }, node);
    nodes.push(node);
  }
  const { conn } = await dbReady;
  const split = await duckdb.extract_statements(conn, nodes.map((n) => n.sql).join('\n;\n'));
  if (split.statement_count !== nodes.length) throw new Error('check failed');
  nodes.sort((a, b) => (a.name < b.name ? -1 : 1));
  const manifestNodes = {};
  for (const n of nodes) {
    const d = described.get(n.name) ?? {};
    manifestNodes[`model.bench.${n.name}`] = { checksum: n.checksum, compiled_code: n.sql, config: n.config, depends_on: { nodes: n.refs.map((r) => `model.bench.${r}`) }, description: d.description ?? '', name: n.name, path: n.path };
  }
  mkdirSync(`${root}/target`, { recursive: true });
  writeFileSync(`${root}/target/manifest.json`, JSON.stringify({ metadata: { generated_at: new Date().toISOString() }, nodes: manifestNodes }, null, 2));
  const dirs = new Set();
  for (const n of nodes) {
    const file = `${root}/target/compiled/${n.path}`;
    const dir = path.dirname(file);
    if (!dirs.has(dir)) (mkdirSync(dir, { recursive: true }), dirs.add(dir));
    writeFileSync(file, `${n.sql}\n`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
