// Micro-benchmark of template parsing (issue 15): the templates of a generated project parsed by
// Handlebars' parser plus our IR builder, and by the fast parser (with its fallback), CPU time of
// alternating rounds. Usage: npm run build && node bench/template-parse.mjs [models=10000] [rounds=7]
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { parseTemplate, parseWithHandlebars } from '../dist/template/parse.js';
import { generateProject } from './generate.mjs';

const models = Number(process.argv[2] ?? 10000);
const rounds = Number(process.argv[3] ?? 7);
const dir = mkdtempSync(path.join(os.tmpdir(), 'etlx-parse-bench-'));
try {
  await generateProject(dir, { models, rows: 1 });
  const texts = [];
  for (const sub of ['models/staging', 'models/marts', 'macros']) {
    const d = path.join(dir, sub);
    if (existsSync(d)) for (const f of readdirSync(d)) if (f.endsWith('.sql')) texts.push(readFileSync(path.join(d, f), 'utf8'));
  }
  const cpu = (f) => {
    const s = process.cpuUsage();
    f();
    const e = process.cpuUsage(s);
    return (e.user + e.system) / 1000;
  };
  const runs = { 'Handlebars.parse': [], 'Handlebars.parse + IR': [], 'fast parser + IR': [] };
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(runs);
    if (r % 2 === 1) order.reverse();
    for (const k of order) {
      const f = k === 'Handlebars.parse' ? (t) => Handlebars.parse(t) : k === 'fast parser + IR' ? parseTemplate : parseWithHandlebars;
      runs[k].push(cpu(() => { for (const t of texts) f(t); }));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${texts.length} templates, CPU ms, median of ${rounds} alternating rounds (first round included: no warm-up)`);
  for (const [k, xs] of Object.entries(runs)) console.log(`${k.padEnd(24)} ${median(xs).toFixed(0).padStart(6)} ms   (rounds: ${xs.map((x) => x.toFixed(0)).join(' ')})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
