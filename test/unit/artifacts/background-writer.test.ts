import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundWriter } from '../../../src/artifacts/background-writer.js';
import { ChecksumCache } from '../../../src/project/checksum-cache.js';
import { Secrets } from '../../../src/util/redact.js';

describe('BackgroundWriter (target/run files)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  const target = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-writer-'));
    dirs.push(d);
    return d;
  };
  /** One run: a writer with the run-files cache, the given writes, then the flush at the end of the run. */
  const run = async (dir: string, files: Record<string, string>, secrets = Secrets.none): Promise<string[]> => {
    const w = new BackgroundWriter(secrets, ChecksumCache.forTarget(dir, 'run-files'));
    for (const [f, text] of Object.entries(files)) w.write(path.join(dir, 'run', f), text);
    return w.flush();
  };
  /** Marks a file so the test can tell whether it was written again. */
  const mark = (file: string): void => fs.utimesSync(file, new Date(2000, 0, 1), new Date(2000, 0, 1));
  const untouched = (file: string): boolean => fs.statSync(file).mtime.getFullYear() === 2000;

  it('leaves a file with the same text alone, and writes a changed or missing one', async () => {
    const dir = target();
    expect(await run(dir, { 'a.sql': 'select 1;\n', 'b.sql': 'select 2;\n', 'c.sql': 'select 3;\n' })).toEqual([]);
    const [a, b, c] = ['a.sql', 'b.sql', 'c.sql'].map((f) => path.join(dir, 'run', f)) as [string, string, string];
    mark(a);
    mark(b);
    fs.rmSync(c);
    await run(dir, { 'a.sql': 'select 1;\n', 'b.sql': 'select 22;\n', 'c.sql': 'select 3;\n' });
    expect(untouched(a)).toBe(true);
    expect(untouched(b)).toBe(false);
    expect(fs.readFileSync(b, 'utf8')).toBe('select 22;\n');
    expect(fs.readFileSync(c, 'utf8')).toBe('select 3;\n');
  });

  it('compares the redacted text, so a secret is never on disk or in the cache', async () => {
    const dir = target();
    const secrets = Secrets.from(['hunter2-secret']);
    await run(dir, { 'a.sql': "attach 'hunter2-secret';\n" }, secrets);
    const text = fs.readFileSync(path.join(dir, 'run', 'a.sql'), 'utf8');
    expect(text).not.toContain('hunter2-secret');
    for (const f of fs.readdirSync(path.join(dir, '.cache'))) expect(fs.readFileSync(path.join(dir, '.cache', f), 'utf8')).not.toContain('hunter2-secret');
  });

  it('writes everything again when the cache is gone', async () => {
    const dir = target();
    await run(dir, { 'a.sql': 'select 1;\n' });
    const a = path.join(dir, 'run', 'a.sql');
    mark(a);
    fs.rmSync(path.join(dir, '.cache'), { recursive: true });
    await run(dir, { 'a.sql': 'select 1;\n' });
    expect(untouched(a)).toBe(false);
  });
});
