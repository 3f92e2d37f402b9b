/**
 * `etlx compile` of an unchanged project reuses target/manifest.json (one fingerprint of every
 * input; compile/unchanged.ts). Each input kind is changed in turn: the next compile must not
 * reuse, and its output (manifest without the invocation metadata, target/compiled, what it
 * prints) must equal a cold compile's (no target/). A compile that reused the manifest is told
 * apart by the manifest's inode: a reuse patches the invocation metadata in place, a full compile
 * writes a new file and renames it over the old one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compile, compileIfUnchanged, ETLX_VERSION, loadProject, newRuntime, startSqlChecker } from '../../src/index.js';
import { listFilesRec, TestProject } from './helpers.js';
import { KITCHEN_SINK_ENV, kitchenSinkFiles } from './kitchen-sink.js';

interface Output {
  readonly manifest: unknown;
  readonly compiled: Record<string, string>;
  readonly printed: string;
}

let p: TestProject;
beforeEach(() => {
  p = new TestProject('ks', kitchenSinkFiles());
});
afterEach(() => p.cleanup());

const inode = (): number | undefined => fs.statSync(p.path('target/manifest.json'), { throwIfNoEntry: false })?.ino;

/** One `etlx compile`: its output, and whether it reused the manifest. */
async function compileOnce(args: readonly string[] = [], env: Record<string, string> = {}): Promise<Output & { reused: boolean }> {
  const before = inode();
  const r = await p.runWithEnv(env, 'compile', ...args);
  expect(r.code, r.output).toBe(0);
  return { ...output(r.output), reused: before !== undefined && inode() === before };
}

function output(printed: string): Output {
  const manifest = JSON.parse(p.read('target/manifest.json')) as { metadata: Record<string, unknown> };
  expect(manifest.metadata.invocation_id).toEqual(expect.any(String));
  delete manifest.metadata.generated_at;
  delete manifest.metadata.invocation_id;
  const dir = p.path('target/compiled');
  const compiled = Object.fromEntries(listFilesRec(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  // Timestamps at the start of each line differ.
  return { manifest, compiled, printed: printed.replace(/^\S+Z {2}/gm, '') };
}

/** The same compile with no target/ (the warm one is put back afterwards). */
async function cold(args: readonly string[] = [], env: Record<string, string> = {}): Promise<Output> {
  fs.renameSync(p.path('target'), p.path('target.warm'));
  try {
    const r = await p.runWithEnv(env, 'compile', ...args);
    expect(r.code, r.output).toBe(0);
    return output(r.output);
  } finally {
    fs.rmSync(p.path('target'), { recursive: true, force: true });
    fs.renameSync(p.path('target.warm'), p.path('target'));
  }
}

/** A full compile, then one that reuses it: the project is recorded and unchanged. */
async function recorded(args: readonly string[] = [], env: Record<string, string> = {}): Promise<Output> {
  const first = await compileOnce(args, env);
  expect(first.reused).toBe(false);
  const second = await compileOnce(args, env);
  expect(second.reused).toBe(true);
  expect(strip(second)).toEqual(strip(first));
  return second;
}

const strip = (o: Output & { reused?: boolean }): Output => ({ manifest: o.manifest, compiled: o.compiled, printed: o.printed });

/** After a change: the next compile does not reuse, and gives what a cold compile gives. */
async function expectFullAndCold(args: readonly string[] = [], env: Record<string, string> = {}): Promise<Output> {
  const next = await compileOnce(args, env);
  expect(next.reused).toBe(false);
  expect(strip(next)).toEqual(await cold(args, env));
  // And the compile after that reuses again, with the same output.
  const again = await compileOnce(args, env);
  expect(again.reused).toBe(true);
  expect(strip(again)).toEqual(strip(next));
  return next;
}

const edit = (rel: string, f: (text: string) => string) => p.write({ [rel]: f(p.read(rel)) });

describe('compile of an unchanged project', () => {
  it('reuses the manifest with new invocation metadata, and gives what a cold compile gives', async () => {
    const out = await recorded();
    expect(strip(out)).toEqual(await cold());
    const m1 = JSON.parse(p.read('target/manifest.json')) as { metadata: { invocation_id: string; generated_at: string } };
    await compileOnce();
    const m2 = JSON.parse(p.read('target/manifest.json')) as { metadata: { invocation_id: string; generated_at: string } };
    expect(m2.metadata.invocation_id).not.toBe(m1.metadata.invocation_id);
    expect(p.read('target/logs/etlx.log')).toContain(m2.metadata.invocation_id);
  });

  it('a compile without target/ is cold', async () => {
    await recorded();
    fs.rmSync(p.path('target'), { recursive: true });
    expect((await compileOnce()).reused).toBe(false);
  });

  const edits: [string, () => void][] = [
    ['a model', () => edit('models/marts/big_orders.sql', (t) => t.replace('>=', '>'))],
    ['a properties file', () => edit('models/marts/_marts.yml', (t) => t.replace('orders over the minimum', 'orders at or over the minimum'))],
    ['a seed', () => edit('seeds/codes.csv', (t) => `${t}fr,France\n`)],
    ['a snapshot', () => edit('snapshots/orders_snap.sql', (t) => t.replace('select *', 'select id, amount_cents'))],
    ['a snapshot properties file', () => edit('snapshots/snapshots.yml', (t) => t.replace('order history', 'history of orders'))],
    ['a custom generic test', () => edit('tests/generic/at_least.sql', (t) => t.replace('<', '<='))],
    ['a singular test', () => edit('tests/assert_positive.sql', (t) => t.replace('< 0', '<= 0'))],
    ['a partial', () => edit('macros/money.sql', (t) => t.replace('18, 2', '18, 3'))],
    ['etlx.yml', () => edit('etlx.yml', (t) => t.replace('min_amount: 5', 'min_amount: 6'))],
    ['profiles.yml', () => edit('profiles.yml', (t) => t.replace('schema: main', 'schema: dev_s'))],
    ['a new model', () => p.write({ 'models/marts/new_one.sql': 'select 1 as x\n' })],
    ['a unit test', () => edit('models/marts/_marts.yml', (t) => t.replace('{min_amount: 5}', '{min_amount: 7}'))],
  ];
  for (const [what, change] of edits) {
    it(`compiles in full after a change to ${what}`, async () => {
      const before = await recorded();
      change();
      const after = await expectFullAndCold();
      expect(after).not.toEqual(before);
    });
  }

  it('compiles in full after a model is removed', async () => {
    await recorded();
    p.remove('models/marts/by_code.sql');
    const next = await compileOnce();
    expect(next.reused).toBe(false);
    // A full compile leaves the removed model's compiled file (as it always has); a cold one has none.
    const { 'models/marts/by_code.sql': stale, ...rest } = next.compiled;
    expect(stale).toBeDefined();
    expect({ ...strip(next), compiled: rest }).toEqual(await cold());
    expect(JSON.stringify(next.manifest)).not.toContain('by_code');
  });

  it('compiles in full when --vars changes, and reuses with the same --vars', async () => {
    await recorded();
    const withVars = await expectFullAndCold(['--vars', '{min_amount: 9}']);
    expect(JSON.stringify(withVars.manifest)).toContain('amount >= 9');
    const back = await expectFullAndCold();
    expect(JSON.stringify(back.manifest)).toContain('amount >= 5');
  });

  it('compiles in full when an environment variable a template reads changes', async () => {
    await recorded([], { [KITCHEN_SINK_ENV]: 'eu' });
    const us = await expectFullAndCold([], { [KITCHEN_SINK_ENV]: 'us' });
    expect(JSON.stringify(us.manifest)).toContain("'us' as region");
    // Unset: the template's default.
    await expectFullAndCold([], {});
  });

  it('a project with an empty JSON output is not reused: its readers follow the columns the warehouse recorded', async () => {
    p.write({
      'models/empty_export.sql': '{{config materialized="file" format="json" location="exports/empty.json"}}\nselect 1 as id where false',
      'models/reads_empty.sql': 'select id from {{ref "empty_export"}}',
    });
    const built = await p.run('build', '--select', 'empty_export+');
    expect(built.code, built.output).toBe(0);
    expect(fs.statSync(p.path('exports/empty.json')).size).toBe(0);
    const first = await compileOnce();
    expect(first.compiled['models/reads_empty.sql']).toContain("columns={'id': 'INTEGER'}");
    const second = await compileOnce();
    expect(second.reused).toBe(false);
    expect(strip(second)).toEqual(strip(first));
  });

  it('compiles in full on a switch of target, and back', async () => {
    await recorded();
    const prod = await expectFullAndCold(['--target', 'prod']);
    expect(JSON.stringify(prod.manifest)).toContain('prod_s');
    await expectFullAndCold(['--target', 'dev']);
  });

  it('compiles in full when a profiles.yml appears earlier on the search path', async () => {
    await recorded();
    fs.mkdirSync(p.path('elsewhere'));
    fs.writeFileSync(p.path('elsewhere/profiles.yml'), 'ks:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: other.duckdb, schema: other_s}\n');
    const other = await expectFullAndCold([], { ETLX_PROFILES_DIR: p.path('elsewhere') });
    expect(JSON.stringify(other.manifest)).toContain('other_s');
  });

  it('compiles in full when a cache under target/.cache was changed or removed (the compile reads it)', async () => {
    await recorded();
    fs.rmSync(p.path('target/.cache/templates.json'));
    expect((await compileOnce()).reused).toBe(false);
    expect(fs.existsSync(p.path('target/.cache/templates.json'))).toBe(true);
    expect((await compileOnce()).reused).toBe(true);
  });

  it('compiles in full when a compiled file or the manifest was changed by something else', async () => {
    await recorded();
    const some = listFilesRec(p.path('target/compiled'))[0]!;
    fs.rmSync(p.path(`target/compiled/${some}`));
    expect((await compileOnce()).reused).toBe(false);
    expect(fs.existsSync(p.path(`target/compiled/${some}`))).toBe(true);
    expect((await compileOnce()).reused).toBe(true);
    // A run writes the manifest again.
    expect((await p.run('seed')).code).toBe(0);
    expect((await compileOnce()).reused).toBe(false);
  });

  it('after a failed compile, the manifest is not reused with the compiled files it left', async () => {
    await recorded();
    const good = p.read('models/marts/big_orders.sql');
    p.write({ 'models/marts/big_orders.sql': good.replace('where', 'where where') });
    expect((await p.run('compile')).code).toBe(2);
    p.write({ 'models/marts/big_orders.sql': good });
    await expectFullAndCold();
  });

  it('compiles in full for another etlx version, and reuses for the same one', async () => {
    const options = { projectDir: p.dir, select: [], exclude: [], fullRefresh: false, failFast: false, debug: false };
    /** `etlx compile` through the API as the CLI does it, with a given version: whether it reused. */
    const apiCompile = async (version: string): Promise<boolean> => {
      const runtime = newRuntime({ env: { HOME: p.dir }, invocationId: `inv-${Math.random()}`, version, reporter: { emit: () => undefined } as never });
      if (compileIfUnchanged(options, runtime)) return true;
      await compile(loadProject(options, runtime), await startSqlChecker());
      return false;
    };
    const at = async (version: string) => ({ ...output(''), version: (JSON.parse(p.read('target/manifest.json')) as { metadata: { etlx_version: string } }).metadata.etlx_version, asked: version });
    expect(await apiCompile(ETLX_VERSION)).toBe(false);
    expect(await apiCompile(ETLX_VERSION)).toBe(true);
    expect(await apiCompile('0.0.0-other')).toBe(false);
    const other = await at('0.0.0-other');
    expect(other.version).toBe('0.0.0-other');
    fs.renameSync(p.path('target'), p.path('target.warm'));
    expect(await apiCompile('0.0.0-other')).toBe(false);
    const cold = await at('0.0.0-other');
    fs.rmSync(p.path('target'), { recursive: true });
    fs.renameSync(p.path('target.warm'), p.path('target'));
    expect(other).toEqual(cold);
    expect(await apiCompile('0.0.0-other')).toBe(true);
    expect(await apiCompile(ETLX_VERSION)).toBe(false);
  });

  it('compiles in full when an environment variable a profile reads for a setting changes', async () => {
    // threads read with {{env}} is a setting, not a secret: the project is recorded.
    p.write({ 'profiles.yml': 'ks:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: wh.duckdb, threads: \'{{env "KS_THREADS" "2"}}\'}\n' });
    await recorded([], { KS_THREADS: '3' });
    await expectFullAndCold([], { KS_THREADS: '5' });
  });

  it('a project whose notifications read a secret with {{env}} is not recorded', async () => {
    edit('etlx.yml', (t) => `${t}notify:\n  - webhook: https://hooks.example.com/etlx\n    headers: {Authorization: 'Bearer {{env "KS_HOOK_TOKEN"}}'}\n`);
    const env = { KS_HOOK_TOKEN: 'zq_hook_token_value' };
    expect((await compileOnce([], env)).reused).toBe(false);
    expect((await compileOnce([], env)).reused).toBe(false);
    expect(fs.existsSync(p.path('target/.cache/compile-fingerprint.json'))).toBe(false);
  });

  it('--select, --exclude and --state are not reused', async () => {
    await recorded();
    expect((await compileOnce(['--select', 'big_orders'])).reused).toBe(false);
    expect((await compileOnce()).reused).toBe(false);
    expect((await compileOnce()).reused).toBe(true);
  });

  it('a project whose profile reads a secret with {{env}} is not recorded, and nothing of the secret is written', async () => {
    p.write({ 'profiles.yml': 'ks:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: wh.duckdb, schema: \'{{env "KS_SCHEMA"}}\'}\n' });
    const env = { KS_SCHEMA: 'zq_secret_schema_value' };
    expect((await compileOnce([], env)).reused).toBe(false);
    expect((await compileOnce([], env)).reused).toBe(false);
    expect(fs.existsSync(p.path('target/.cache/compile-fingerprint.json'))).toBe(false);
    for (const f of listFilesRec(p.path('target'))) expect(fs.readFileSync(p.path(`target/${f}`), 'utf8')).not.toContain('zq_secret');
  });
});
