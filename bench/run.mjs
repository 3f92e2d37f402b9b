// npm run bench: every row of issue 15's target table, today's figure next to its target, in CPU
// time (user + sys of the process, from /usr/bin/time) with wall time and peak RSS alongside.
// Each figure is the median of paired, alternating runs: etlx and its floor one after the other,
// in alternating order, so both see the same machine. The floors (bench/floors/) are minimal
// end-to-end scripts bundled here with esbuild into one file each, as etlx is.
//   node bench/run.mjs [--reps=N] [--only=version,compile,run,pipeline,seed] [--quick] [--rows=N]
// --quick: small sizes, one rep. --rows: rows of the 16-model pipeline (default 20M; the issue's
// 50M takes minutes a run on a shared 2-core machine).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateProject } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const out = path.join(here, 'out');
const quick = process.argv.includes('--quick');
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const reps = Number(arg('reps') ?? (quick ? 1 : 5));
const only = arg('only')?.split(',');
const section = (name) => !only || only.includes(name);
const pipelineRows = Number(arg('rows') ?? (quick ? 1_000_000 : 20_000_000));
mkdirSync(out, { recursive: true });
const etlxBin = path.join(repo, 'bin', 'etlx.js');
const timeFile = path.join(out, 'time.txt');

// The floors, each one CommonJS bundle (the native binding stays outside, as in etlx's bundle).
const floors = path.join(out, 'floors');
for (const name of ['compile', 'run']) {
  buildSync({ entryPoints: [path.join(here, 'floors', `${name}.mjs`)], outfile: path.join(floors, `${name}.cjs`), bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['@duckdb/node-bindings-*'], logLevel: 'warning' });
}

/** One process under /usr/bin/time: CPU (user + sys) and wall seconds, peak RSS in MiB. */
function measure(args, cwd) {
  rmSync(timeFile, { force: true });
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', process.execPath, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}\n${r.stdout?.slice(-2000)}\n${r.stderr?.slice(-2000)}`);
  const [wall, user, sys, rssK] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
  return { cpu: user + sys, wall, rss: rssK / 1024 };
}
const etlx = (args, cwd) => measure([etlxBin, ...args], cwd);
const floorRun = (dir, mode) => measure([path.join(floors, 'run.cjs'), dir, 'floor.duckdb', mode], dir);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (s) => `${Math.round(s * 1000)} ms`;
const sec = (s) => `${s.toFixed(2)} s`;
const mib = (x) => `${Math.round(x)} MiB`;

// A cold run starts without target/. Deleting thousands of files makes the next file creations
// on this disk several times slower for seconds, so old targets are moved aside and deleted
// once at the end, outside every measurement.
const trash = path.join(out, 'trash');
let trashed = 0;
const clean = (dir, { keepTarget = false } = {}) => {
  if (!keepTarget && existsSync(path.join(dir, 'target'))) {
    mkdirSync(trash, { recursive: true });
    renameSync(path.join(dir, 'target'), path.join(trash, `t${trashed++}-${process.pid}`));
  }
  for (const f of ['etlx.duckdb', 'etlx.duckdb.wal', 'floor.duckdb', 'floor.duckdb.wal']) rmSync(path.join(dir, f), { force: true });
  rmSync(path.join(dir, 'exports'), { recursive: true, force: true });
};
const profiles = (dir, name) =>
  writeFileSync(path.join(dir, 'profiles.yml'), `${name}:\n  target: bench\n  outputs:\n    bench:\n      type: duckdb\n      path: etlx.duckdb\n      threads: 1\n`);

/** `reps` pairs of (a, b), alternating which goes first; a and b return measure() results. */
function paired(a, b) {
  const as = [];
  const bs = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) (as.push(a()), bs.push(b()));
    else (bs.push(b()), as.push(a()));
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  return {
    a: { cpu: m(as, 'cpu'), wall: m(as, 'wall'), rss: m(as, 'rss') },
    b: { cpu: m(bs, 'cpu'), wall: m(bs, 'wall'), rss: m(bs, 'rss') },
    cpuRatio: median(as.map((x, i) => x.cpu / bs[i].cpu)),
    rssRatio: median(as.map((x, i) => x.rss / bs[i].rss)),
    cpuDiff: median(as.map((x, i) => x.cpu - bs[i].cpu)),
  };
}

const rows = [];
const row = (measure, today, target, met, floor = '-', note = '') => {
  rows.push({ measure, today, target, met, floor, note });
  console.error(`  ${measure}: ${today} (target ${target}: ${met ? 'met' : 'MISSED'})${floor !== '-' ? ` floor ${floor}` : ''}`);
};

async function duck(sql) {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(sql);
  c.closeSync();
  db.closeSync();
}

// etlx --version against Node with bundled node-api opening and closing an in-memory DuckDB.
if (section('version')) {
  console.error('version');
  const dir = path.join(out, 'version');
  mkdirSync(dir, { recursive: true });
  etlx(['--version'], dir); // writes the V8 code cache, as any first run after install does
  const p = paired(() => etlx(['--version'], dir), () => floorRun(dir, 'open-close'));
  const node0 = median(Array.from({ length: reps }, () => measure(['-e', '0'], dir).cpu));
  row('`etlx --version`', `${ms(p.a.cpu)} = ${p.cpuRatio.toFixed(2)}x the floor`, '<= 1.1x Node + bundled node-api open/close', p.cpuRatio <= 1.1, `${ms(p.b.cpu)} (node -e 0: ${ms(node0)})`);
}

// Compile of 10,000 models: cold (no target/) and unchanged.
if (section('compile')) {
  console.error('compile');
  const n = quick ? 1000 : 10000;
  const dir = path.join(out, `compile-${n}`);
  if (!existsSync(path.join(dir, 'etlx.yml'))) await generateProject(dir, { models: n, rows: 10 });
  const cold = paired(
    () => (clean(dir), etlx(['compile'], dir)),
    () => (clean(dir), measure([path.join(floors, 'compile.cjs'), dir], dir)),
  );
  clean(dir);
  etlx(['compile'], dir);
  const warm = [];
  for (let i = 0; i < reps; i++) warm.push(etlx(['compile'], dir));
  const warmCpu = median(warm.map((r) => r.cpu));
  row(`cold compile, ${n} models (no target/)`, `${sec(cold.a.cpu)} (wall ${sec(cold.a.wall)})`, '<= 2.0 s', cold.a.cpu <= 2.0, `${sec(cold.b.cpu)} = ${cold.cpuRatio.toFixed(2)}x`);
  row(`compile, ${n} models, unchanged project`, `${sec(warmCpu)} (wall ${sec(median(warm.map((r) => r.wall)))})`, '<= 0.6 s', warmCpu <= 0.6);
  row(`peak RSS, cold compile of ${n} models`, mib(cold.a.rss), '<= 350 MiB', cold.a.rss <= 350, mib(cold.b.rss));
}

// Run overhead: the same DAG at two sizes against the run floor; the difference of the
// differences is per model, the rest fixed.
if (section('run')) {
  console.error('run overhead');
  const sizes = quick ? [10, 50] : [10, 200];
  const results = [];
  for (const n of sizes) {
    const dir = path.join(out, `run-${n}`);
    if (!existsSync(path.join(dir, 'etlx.yml'))) await generateProject(dir, { models: n, rows: 200 });
    profiles(dir, 'bench');
    clean(dir);
    etlx(['compile'], dir); // the floor reads the manifest
    results.push({ n, p: paired(() => (clean(dir, { keepTarget: true }), etlx(['run', '--threads', '1'], dir)), () => (clean(dir, { keepTarget: true }), floorRun(dir, 'models'))) });
  }
  const [small, large] = results;
  const perModel = (large.p.cpuDiff - small.p.cpuDiff) / (large.n - small.n);
  const fixed = small.p.cpuDiff - perModel * small.n;
  row('run, fixed overhead over the bundled floor', ms(fixed), '<= 120 ms', fixed <= 0.12, `${ms(small.p.b.cpu)} for ${small.n} models`, `etlx ${ms(small.p.a.cpu)} for ${small.n} models`);
  row('run, per-model overhead', `${(perModel * 1000).toFixed(2)} ms`, '<= 0.3 ms', perModel <= 0.0003, `${ms(large.p.b.cpu)} for ${large.n} models`, `etlx ${ms(large.p.a.cpu)} for ${large.n} models`);
  row(`peak RSS on the ${large.n}-model run`, `${mib(large.p.a.rss)} = ${large.p.rssRatio.toFixed(2)}x`, '<= 1.1x the bundled floor', large.p.rssRatio <= 1.1, mib(large.p.b.rss));
}

// 16 models over a large Parquet source: DuckDB-bound.
if (section('pipeline')) {
  console.error(`16 models over ${pipelineRows / 1e6}M rows`);
  const dir = path.join(out, `pipeline-${pipelineRows}`);
  const data = path.join(dir, 'staging', 'events.parquet');
  if (!existsSync(data)) {
    mkdirSync(path.dirname(data), { recursive: true });
    await duck(`copy (select i as id, i % 100000 as customer_id, timestamp '2024-01-01' + to_seconds(i % 31536000) as ts, (hash(i) % 10000) / 100.0 as amount, 'cat_' || (i % 20) as category from range(${pipelineRows}) t(i)) to '${data}' (format parquet)`);
  }
  mkdirSync(path.join(dir, 'models', 'staging'), { recursive: true });
  mkdirSync(path.join(dir, 'models', 'marts'), { recursive: true });
  writeFileSync(path.join(dir, 'etlx.yml'), 'name: pipeline\nmodels:\n  materialized: table\n  staging:\n    +materialized: view\n');
  writeFileSync(path.join(dir, 'models', 'sources.yml'), 'sources:\n  - name: raw\n    tables:\n      - name: events\n        location: staging/events.parquet\n');
  writeFileSync(path.join(dir, 'models', 'staging', 'stg_events.sql'), 'select id, customer_id, ts::date as day, amount, category\nfrom {{source "raw" "events"}}\nwhere amount >= 0\n');
  const keys = ['day', 'category', 'customer_id', 'day, category', 'customer_id % 100', 'customer_id % 1000'];
  for (let i = 0; i < 15; i++) {
    const k = keys[i % keys.length];
    writeFileSync(path.join(dir, 'models', 'marts', `mart_${i}.sql`), `select ${k}, count(*) as n, sum(amount) as revenue, max(amount) * ${i + 1} as top\nfrom {{ref "stg_events"}}\ngroup by all\n`);
  }
  profiles(dir, 'pipeline');
  clean(dir);
  etlx(['compile'], dir);
  const p = paired(() => (clean(dir, { keepTarget: true }), etlx(['run', '--threads', '1'], dir)), () => (clean(dir, { keepTarget: true }), floorRun(dir, 'models')));
  row(`16 models over ${pipelineRows / 1e6}M rows (DuckDB-bound)`, `${sec(p.a.cpu)} = ${p.cpuRatio.toFixed(3)}x`, '<= 1.03x the floor', p.cpuRatio <= 1.03, sec(p.b.cpu), `wall ${sec(p.a.wall)} / ${sec(p.b.wall)}`);
}

if (section('seed')) {
  console.error('1M-row seed');
  const dir = path.join(out, 'seed-1m');
  const csv = path.join(dir, 'seeds', 'big_seed.csv');
  if (!existsSync(csv)) {
    mkdirSync(path.dirname(csv), { recursive: true });
    await duck(`copy (select i as id, 'name_' || i as name, (hash(i) % 100000) / 100.0 as amount, date '2024-01-01' + (i % 365)::integer as day from range(1000000) t(i)) to '${csv}' (format csv, header)`);
  }
  writeFileSync(path.join(dir, 'etlx.yml'), 'name: seedbench\n');
  profiles(dir, 'seedbench');
  const p = paired(() => (clean(dir), etlx(['seed'], dir)), () => (clean(dir), floorRun(dir, 'seeds')));
  row('seed of a 1M-row CSV, CPU', `${sec(p.a.cpu)} = ${p.cpuRatio.toFixed(2)}x`, '<= 1.1x the floor', p.cpuRatio <= 1.1, sec(p.b.cpu), `wall ${sec(p.a.wall)} / ${sec(p.b.wall)}`);
}

const table = [
  '| measure | today (CPU, median) | target | met | floor (CPU, median) | notes |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.measure} | ${r.today} | ${r.target} | ${r.met ? 'yes' : '**no**'} | ${r.floor} | ${r.note || '-'} |`),
].join('\n');
const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const header = `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z, load average at the end ${load}; CPU = user + sys, medians of ${reps} paired alternating run(s)${quick ? ' (--quick)' : ''}.`;
writeFileSync(path.join(out, 'results.md'), `${header}\n\n${table}\n`);
rmSync(trash, { recursive: true, force: true });
console.log(`${header}\n\n${table}`);
