import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';

/**
 * Data-driven: every folder under test/fixtures/compile/{valid,broken} is a small project with an
 * expected.json. Each is copied to a temp dir (so target/ never lands in the repo) and compiled
 * in-process through the CLI's main(), in text and in JSON log format.
 */
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compile');

interface ExpectedDiagnostic {
  readonly code: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly messageIncludes?: string;
  readonly hintIncludes?: string;
}
interface Expected {
  readonly exitCode: number;
  readonly args?: string[];
  readonly diagnostics: ExpectedDiagnostic[];
  readonly compiled?: string[];
  readonly nodes?: string[];
}

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-fixtures-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const home = path.join(tmp, 'home');
fs.mkdirSync(home);

function list(kind: 'valid' | 'broken'): [string, Expected][] {
  const dir = path.join(FIXTURES, kind);
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'expected.json')))
    .sort()
    .map((name) => [name, JSON.parse(fs.readFileSync(path.join(dir, name, 'expected.json'), 'utf8')) as Expected]);
}

function copy(kind: string, name: string): string {
  const dest = path.join(tmp, `${kind}-${name}-${Math.random().toString(36).slice(2, 8)}`);
  fs.cpSync(path.join(FIXTURES, kind, name), dest, { recursive: true, filter: (src) => path.basename(src) !== 'expected.json' });
  return dest;
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => void (stdout += s), isTTY: false },
    stderr: { write: (s: string) => void (stderr += s), isTTY: false },
    env: { HOME: home, PATH: process.env.PATH },
  });
  return { code, stdout, stderr };
}

interface Printed {
  readonly head: string;
  readonly hint: string;
}

/** `error <file>:<line>:<col> <message>` lines, each with its `  hint:` line. */
function printedErrors(stderr: string): Printed[] {
  const out: { head: string; hint: string }[] = [];
  for (const line of stderr.split('\n')) {
    if (line.startsWith('error ')) out.push({ head: line.slice('error '.length), hint: '' });
    else if (line.startsWith('  hint: ') && out.length > 0) out[out.length - 1]!.hint = line.slice('  hint: '.length);
  }
  return out;
}

function location(d: ExpectedDiagnostic): string {
  if (!d.file) return '';
  return [d.file, d.line, d.column].filter((x) => x !== undefined).join(':');
}

function matches(p: Printed, d: ExpectedDiagnostic): boolean {
  const loc = location(d);
  if (loc) {
    // file:line must be followed by a space (no column given) or by ":col ".
    const rest = p.head.startsWith(loc) ? p.head.slice(loc.length) : undefined;
    if (rest === undefined || !(rest.startsWith(' ') || (d.column === undefined && /^:\d+ /.test(rest)))) return false;
  }
  if (d.messageIncludes && !p.head.includes(d.messageIncludes)) return false;
  if (d.hintIncludes && !p.hint.includes(d.hintIncludes)) return false;
  return true;
}

describe('broken fixtures', () => {
  const broken = list('broken');

  it('there are at least 15 of them', () => {
    expect(broken.length).toBeGreaterThanOrEqual(15);
  });

  describe.each(broken)('%s', (name, expected) => {
    it('fails with the expected diagnostics, located, without a stack trace', async () => {
      const dir = copy('broken', name);
      const r = await cli(['compile', '--project-dir', dir, ...(expected.args ?? [])]);
      expect(r.code, r.stderr).toBe(expected.exitCode);
      expect(r.stderr).not.toContain('    at ');
      expect(r.stdout).not.toContain('    at ');
      const printed = printedErrors(r.stderr);
      expect(printed.length, `printed:\n${r.stderr}`).toBe(expected.diagnostics.length);
      for (const d of expected.diagnostics) {
        expect(
          printed.some((p) => matches(p, d)),
          `no printed error matches ${JSON.stringify(d)}; printed:\n${r.stderr}`,
        ).toBe(true);
      }
      // Nothing was compiled: no manifest.
      expect(fs.existsSync(path.join(dir, 'target', 'manifest.json'))).toBe(false);
    });

    it('reports the same diagnostics as JSON events with their codes under --log-format json', async () => {
      const dir = copy('broken', name);
      const r = await cli(['compile', '--project-dir', dir, '--log-format', 'json', ...(expected.args ?? [])]);
      expect(r.code).toBe(expected.exitCode);
      const events = r.stdout
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as { type: string; diagnostic?: { code: string; file?: string; line?: number; column?: number; message: string; severity?: string } });
      const diagnostics = events.filter((e) => e.type === 'diagnostic').map((e) => e.diagnostic!);
      expect(diagnostics.map((d) => d.code).sort()).toEqual(expected.diagnostics.map((d) => d.code).sort());
      for (const d of expected.diagnostics) {
        const found = diagnostics.find(
          (x) =>
            x.code === d.code &&
            (d.file === undefined || x.file === d.file) &&
            (d.line === undefined || x.line === d.line) &&
            (d.column === undefined || x.column === d.column) &&
            (d.messageIncludes === undefined || x.message.includes(d.messageIncludes)),
        );
        expect(found, `no JSON diagnostic matches ${JSON.stringify(d)}: ${JSON.stringify(diagnostics)}`).toBeDefined();
        expect(found!.severity).toBe('error');
      }
      expect(r.stderr).toBe('');
    });
  });
});

describe('valid fixtures', () => {
  describe.each(list('valid'))('%s', (name, expected) => {
    it('compiles: target/compiled files and a manifest with the expected nodes', async () => {
      const dir = copy('valid', name);
      const r = await cli(['compile', '--project-dir', dir]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(expected.exitCode);
      // "1 model", "1 test" in the singular (issue 11).
      expect(r.stdout).toMatch(/Compiled (?:1 model|(?!1 )\d+ models) and (?:1 test|(?!1 )\d+ tests) into target\/compiled/);
      for (const f of expected.compiled ?? []) expect(fs.existsSync(path.join(dir, 'target', 'compiled', f)), f).toBe(true);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, unknown>; sources: Record<string, unknown> };
      for (const id of expected.nodes ?? []) expect(Object.keys(manifest.nodes), id).toContain(id);
      // No absolute path of the temp copy leaks into the artifacts.
      expect(fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8')).not.toContain(dir);
    });
  });

  it('the full fixture renders macros, ephemerals, sources, vars and is_incremental as expected', async () => {
    const dir = copy('valid', 'full');
    expect((await cli(['compile', '--project-dir', dir])).code).toBe(0);
    const fct = fs.readFileSync(path.join(dir, 'target', 'compiled', 'models', 'marts', 'fct_orders.sql'), 'utf8');
    expect(fct).toContain('with "__etlx_cte__int_paid" as (');
    expect(fct).toContain('round(cast(coalesce(paid.paid_cents, 0) / 100 as decimal(18, 2)), 2) as paid');
    expect(fct).not.toContain('select max(ordered_at)');
    expect(fct.endsWith(')\n')).toBe(true);
    const stg = fs.readFileSync(path.join(dir, 'target', 'compiled', 'models', 'staging', 'stg_payments.sql'), 'utf8');
    expect(stg).toContain("where method in ('card', 'paypal')");
    // Staging paths are shown relative to the project in artifacts.
    const orders = fs.readFileSync(path.join(dir, 'target', 'compiled', 'models', 'staging', 'stg_orders.sql'), 'utf8');
    expect(orders).toContain("read_parquet('staging/orders/*.parquet', hive_partitioning=true)");
  });

  it('--debug adds a stack trace to a failure', async () => {
    const dir = copy('broken', 'cycle');
    const r = await cli(['compile', '--project-dir', dir, '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error models/a.sql:1:15 dependency cycle: a -> b -> a');
    expect(r.stderr).toContain('    at ');
  });
});
