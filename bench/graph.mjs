// Graph and selector speed on 10,000 nodes: CPU time of the work alone (JIT warmed up), medians
// of 7 runs, against the targets that used to be timed assertions in the unit tests.
// Run after `npm run build`: node bench/graph.mjs
import { Dag } from '../dist/graph/dag.js';
import { selectNodes } from '../dist/graph/selector.js';

function cpuMs(fn) {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function median(fn, runs = 7) {
  fn();
  const t = Array.from({ length: runs }, () => cpuMs(fn)).sort((a, b) => a - b);
  return t[Math.floor(runs / 2)];
}

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const id = (i) => `model.shop.m${String(i).padStart(5, '0')}`;
const inputs = Array.from({ length: 10_000 }, (_, i) => ({ id: id(i), deps: i === 0 ? [] : [id(Math.floor(rand() * i)), id(Math.floor(rand() * i))] }));
const dagMs = median(() => {
  const d = Dag.build(inputs);
  d.topoOrder();
  d.findCycle();
});

const nodes = new Map();
const sel = [];
for (let i = 0; i < 10_000; i++) {
  const nid = `model.shop.m${i}`;
  nodes.set(nid, { id: nid, name: `m${i}`, resourceType: 'model', path: `models/f${i % 10}/m${i}.sql`, tags: i % 2 === 0 ? ['even'] : [], config: { materialized: i % 3 === 0 ? 'table' : 'view' }, packageName: 'shop' });
  sel.push({ id: nid, deps: i === 0 ? [] : [`model.shop.m${Math.floor(i / 2)}`, `model.shop.m${i - 1}`] });
}
const ctx = { nodes, dag: Dag.build(sel) };
const selectMs = median(() => selectNodes({ select: ['@m5000 tag:even,config.materialized:table', 'path:models/f3+1'], exclude: ['m0'] }, ctx));

const rows = [
  ['Dag build + topo order + cycle check, 10k nodes / 20k edges', dagMs, 50],
  ['selector (@, tags, config, path) over 10k nodes', selectMs, 1000],
];
for (const [what, ms, target] of rows) console.log(`${what.padEnd(62)} ${ms.toFixed(1).padStart(8)} ms CPU   target <= ${target} ms   ${ms <= target ? 'met' : 'NOT MET'}`);
