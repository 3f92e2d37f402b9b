import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

/**
 * The broken-input corpus for run time and the command line (test/fixtures/corpus; the
 * compile-time corpus is test/fixtures/compile/broken). Each case is a project folder with a
 * case.json: the command line, the exit code, and text the output must contain. Exit 2 cases
 * must leave no warehouse behind; no case may print a stack trace.
 */
const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/corpus');
const repo = path.resolve(CORPUS, '../../..');

interface Case {
  readonly args: string[];
  readonly exitCode: number;
  readonly includes: string[];
  readonly before?: string[][];
  readonly setup?: 'lock';
  readonly stderr?: boolean;
  readonly warehouseUntouched?: boolean;
}

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-corpus-')));
const home = path.join(tmp, 'home');
fs.mkdirSync(home);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => void (stdout += s), isTTY: false },
    stderr: { write: (s: string) => void (stderr += s), isTTY: false },
    env: { HOME: home, PATH: process.env.PATH, NO_COLOR: '1' },
  });
  return { code, stdout, stderr };
}

// The holder keeps its instance and connection referenced: node-api closes a garbage-collected
// instance in a finalizer, which releases the lock (an idle process gets collected under load).
function holdLock(db: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `import('@duckdb/node-api').then(async ({DuckDBInstance}) => { const i = await DuckDBInstance.create(${JSON.stringify(db)}); globalThis.held = [i, await i.connect()]; console.log('ready'); setTimeout(() => {}, 60000); })`],
    { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve) => child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve(child)));
}

const cases = fs
  .readdirSync(CORPUS)
  .filter((name) => fs.existsSync(path.join(CORPUS, name, 'case.json')))
  .sort()
  .map((name) => [name, JSON.parse(fs.readFileSync(path.join(CORPUS, name, 'case.json'), 'utf8')) as Case] as const);

describe('the run-time and command-line corpus', () => {
  it('has enough cases, together with the compile corpus, to cover at least 40 broken inputs', () => {
    const compileBroken = fs.readdirSync(path.resolve(CORPUS, '../compile/broken')).length;
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(cases.length + compileBroken).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s', async (name, c) => {
    const dir = path.join(tmp, name);
    fs.cpSync(path.join(CORPUS, name), dir, { recursive: true, filter: (src) => path.basename(src) !== 'case.json' });
    const db = path.join(dir, 'corpus.duckdb');
    for (const step of c.before ?? []) expect((await cli([...step, '--project-dir', dir])).code).toBe(0);
    const holder = c.setup === 'lock' ? await holdLock(db) : undefined;
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli([...c.args, '--project-dir', dir]);
    } finally {
      holder?.kill('SIGKILL');
    }
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(c.exitCode);
    for (const text of c.includes) expect(output).toContain(text);
    if (c.stderr) expect(r.stderr.length).toBeGreaterThan(0);
    expect(output).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    if (holder) expect(output).toContain(`(PID ${holder.pid})`);
    if (c.warehouseUntouched) expect(fs.existsSync(db)).toBe(false);
  });
});
