import { accessSync, constants, lstatSync, readFileSync, realpathSync, statSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { shippedPath } from '../util/shipped-path.js';
import { EtlxError, type DiagnosticCode } from '../errors/diagnostic.js';
import { makeDirs } from '../project/make-dirs.js';

/** The files of a new project: a seed, a staging view, a mart table, tests and a macro. */
export function scaffoldFiles(name: string): Record<string, string> {
  return {
    'etlx.yml': `name: ${name}
# yaml-language-server: $schema=node_modules/etlx/schemas/etlx.schema.json
profile: ${name}

vars:
  min_amount: 0

# Config defaults by folder under models/ ("+key" is always a config key).
models:
  materialized: table
  staging:
    +materialized: view
`,
    'profiles.example.yml': `# yaml-language-server: $schema=node_modules/etlx/schemas/profiles.schema.json
# Copy to profiles.yml to change where etlx writes. Without one, etlx uses ./${name}.duckdb.
${name}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: ${name}.duckdb
      schema: main
      threads: 4
    prod:
      type: duckdb
      path: '{{env "ETLX_PROD_PATH" "prod.duckdb"}}'
      schema: main
      threads: 2
      settings:
        memory_limit: 4GB
`,
    // Newer yaml-language-server releases read a modeline only above the first key, and etlx.yml
    // starts with its name: this maps the schema for VS Code whatever the release.
    '.vscode/settings.json': `${JSON.stringify({ 'yaml.schemas': { './node_modules/etlx/schemas/etlx.schema.json': 'etlx.yml' } }, null, 2)}\n`,
    '.gitignore': GITIGNORE,
    'seeds/customers.csv': `customer_id,name,country\n1,Ada,GB\n2,Grace,US\n3,Linus,FI\n`,
    'seeds/orders.csv': `order_id,customer_id,amount,status\n10,1,25.00,paid\n11,1,12.50,paid\n12,2,40.00,refunded\n13,3,8.75,paid\n`,
    'models/staging/stg_orders.sql': `select order_id, customer_id, amount, status\nfrom {{ref "orders"}}\nwhere amount >= {{var "min_amount"}}\n`,
    'models/marts/customer_revenue.sql': `select\n    c.customer_id,\n    c.name,\n    {{> money column="coalesce(sum(o.amount) filter (where o.status = 'paid'), 0)"}} as revenue\nfrom {{ref "customers"}} as c\nleft join {{ref "stg_orders"}} as o on o.customer_id = c.customer_id\ngroup by all\n`,
    'models/schema.yml': `# yaml-language-server: $schema=../node_modules/etlx/schemas/properties.schema.json
version: 2
models:
  - name: stg_orders
    columns:
      - name: order_id
        tests: [not_null, unique]
      - name: status
        tests:
          - accepted_values: {values: [paid, refunded]}
      - name: customer_id
        tests:
          - relationships: {to: customers, field: customer_id}
  - name: customer_revenue
    tests:
      - row_count: {min: 1}
    columns:
      - name: customer_id
        tests: [unique]
`,
    'macros/money.sql': `round({{column}}, 2)`,
    'tests/assert_revenue_not_negative.sql': `select * from {{ref "customer_revenue"}} where revenue < 0\n`,
  };
}

/**
 * What a project should not commit: etlx's output, warehouses, local profiles, file models'
 * default output folder, and the staging copies and move journals a crash can leave beside a
 * file model's dataset (`.<name>.etlx-tmp-<id>`, `.<name>.etlx-old-<id>`, `.<name>.etlx-move.json`).
 */
export const GITIGNORE_LINES: readonly string[] = ['target/', '*.duckdb', '*.duckdb.wal', 'profiles.yml', 'exports/', '.etlx-outputs/', '*.etlx-*'];

const GITIGNORE = `# etlx output, warehouses and local connection profiles
target/
*.duckdb
*.duckdb.wal
profiles.yml
# file models write here by default (location: exports/<name>)
exports/
# etlx's staging area and records of the outputs it wrote (see "Safety" in etlx's README)
.etlx-outputs/
# move journals beside a file model's dataset, left only by a crash
*.etlx-*
`;

export interface InitResult {
  readonly root: string;
  /** Project-relative paths written by this init, sorted. */
  readonly created: readonly string[];
  /** Scaffold paths that already existed and were left exactly as they were, sorted. */
  readonly kept: readonly string[];
  /** Lines of GITIGNORE_LINES missing from a .gitignore that was kept. */
  readonly gitignoreMissing: readonly string[];
}

const initError = (code: DiagnosticCode, message: string, hint: string) => new EtlxError({ code, message, hint });

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `root` is a folder this user can write, creating the missing part of the path one
 * level at a time (makeDirs: Node's recursive mkdir never returned for /proc/x). Checked before
 * any file is written.
 */
function prepareRoot(root: string): void {
  let existing = root;
  for (;;) {
    const st = statOrUndefined(existing);
    if (st) {
      if (!st.isDirectory()) {
        throw initError(
          'E_INIT_NOT_A_FOLDER',
          existing === root ? `${root} exists and is not a folder` : `cannot create ${root}: ${existing} is a file, not a folder`,
          'give etlx init a new or existing folder, e.g. etlx init my_project',
        );
      }
      break;
    }
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw initError('E_INIT_NOT_WRITABLE', `cannot create a project in ${root}: ${existing} is not writable`, 'choose a folder you can write, e.g. etlx init ~/projects/my_project');
  }
  try {
    makeDirs(root);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw initError('E_INIT_CREATE', `cannot create the folder ${err.path ?? root}: ${err.code ?? err.message}`, 'choose a folder on a normal, writable file system, e.g. etlx init ~/projects/my_project');
  }
}

/**
 * Creates a project in `dir`. Never overwrites a file: a scaffold file that already exists is
 * kept as it is and named in the result. A folder that already holds etlx.yml is refused.
 */
export function initProject(dir: string): InitResult {
  const root = path.resolve(dir);
  if (statOrUndefined(path.join(root, 'etlx.yml'))) {
    throw new EtlxError({ code: 'E_INIT_EXISTS', message: `${path.join(root, 'etlx.yml')} already exists`, hint: 'run etlx init with a new folder name: etlx init my_project' });
  }
  prepareRoot(root);
  const name = path.basename(root).replace(/[^A-Za-z0-9_]/g, '_').replace(/^([^A-Za-z_])/, '_$1') || 'my_project';
  const files = scaffoldFiles(name);
  // Check every folder on the way before writing: a file named `models` must stop init before
  // it has written half a project.
  for (const rel of Object.keys(files)) {
    for (let d = path.dirname(rel); d !== '.'; d = path.dirname(d)) {
      const st = statOrUndefined(path.join(root, d));
      if (st && !st.isDirectory()) {
        throw initError('E_INIT_NOT_A_FOLDER', `${path.join(root, d)} is a file, but the project needs a folder ${d}/ there`, `rename or move ${d}, then run etlx init again`);
      }
    }
  }
  const created: string[] = [];
  const kept: string[] = [];
  // etlx.yml last: if writing stops half-way, running init again finishes the rest.
  const order = Object.keys(files).sort((a, b) => Number(a === 'etlx.yml') - Number(b === 'etlx.yml') || a.localeCompare(b));
  for (const rel of order) {
    const file = path.join(root, rel);
    try {
      makeDirs(path.dirname(file));
      // 'wx' is O_CREAT|O_EXCL: it fails instead of replacing (or following a link to) anything
      // that is already there, even if it appeared after the checks above.
      writeFileSync(file, files[rel]!, { flag: 'wx' });
      created.push(rel);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        kept.push(rel);
        continue;
      }
      throw initError('E_INIT_CREATE', `cannot create ${file}: ${code ?? (e as Error).message}`, 'check the folder\'s permissions and free space, then run etlx init again (it keeps what it already wrote)');
    }
  }
  let gitignoreMissing: string[] = [];
  if (kept.includes('.gitignore')) {
    try {
      const have = new Set(readLines(path.join(root, '.gitignore')));
      gitignoreMissing = GITIGNORE_LINES.filter((l) => !have.has(l) && !have.has(`/${l}`));
    } catch {
      // An unreadable .gitignore is the user's; the report just can't say what it lacks.
    }
  }
  return { root, created: created.sort(), kept: kept.sort(), gitignoreMissing };
}

function readLines(file: string): string[] {
  if (!lstatSync(file).isFile()) return [];
  return readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim());
}

/** This package's launcher, to tell how the user runs etlx. */
// From dist/project/init.js (tsc's output) or dist/etlx.cjs (the bundle).
const OWN_BIN = shippedPath(import.meta.url, ['../../bin/etlx.js', '../bin/etlx.js']);

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A word for a POSIX shell: quoted only when it needs to be. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * How the user runs this etlx from the new project: `npx etlx` when it is installed in
 * node_modules of the project or a folder above it (or the project sits inside etlx's own
 * checkout), `etlx` when the `etlx` on PATH is this one, else `node <path to bin/etlx.js>`.
 */
export function etlxCommand(projectRoot: string, env: Readonly<Record<string, string | undefined>>, bin: string = OWN_BIN): string {
  const ownBin = realpathOr(bin);
  const packageRoot = path.dirname(path.dirname(ownBin));
  const root = realpathOr(projectRoot);
  const parts = packageRoot.split(path.sep);
  const nm = parts.lastIndexOf('node_modules');
  const installedUnder = nm > 0 ? parts.slice(0, nm).join(path.sep) || path.sep : undefined;
  if ((installedUnder !== undefined && isInside(root, installedUnder)) || isInside(root, packageRoot)) return 'npx etlx';
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && realpathOr(path.join(dir, 'etlx')) === ownBin) return 'etlx';
  }
  return `node ${shellWord(ownBin)}`;
}

/** What `etlx init` prints: what it created, what it kept, and the next step. */
export function initReport(r: InitResult, cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  const out: string[] = [];
  const list = (files: readonly string[]) => files.map((x) => `  ${x}`);
  if (r.created.length > 0) out.push(`Created a project in ${r.root}:`, ...list(r.created));
  else out.push(`Nothing to create in ${r.root}: every scaffold file is already there.`);
  if (r.kept.length > 0) out.push('Kept, already there and left unchanged:', ...list(r.kept));
  if (r.gitignoreMissing.length > 0) out.push(`Your .gitignore lacks these lines (etlx's output, warehouses, local profiles): ${r.gitignoreMissing.join(' ')}`);
  const rel = path.relative(cwd, r.root);
  const cd = rel === '' ? '' : `cd ${shellWord(rel.startsWith('..') ? r.root : rel)} && `;
  out.push(`Next: ${cd}${etlxCommand(r.root, env)} build`);
  return `${out.join('\n')}\n`;
}
