import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, ensureBuilt, etlx, removeTempDirs, STACK_LINE } from './helpers.js';

/**
 * Issue 16 ("Trust"): commands and inputs that crashed, hung or destroyed files. Each test is
 * named after what it protects.
 */
beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

describe('--threads and profile threads are bounded before anything is created', () => {
  it('--threads 99999999999 is exit 2 and creates no warehouse', () => {
    const d = copyFixture('valid', 'minimal');
    const r = etlx(['build', '--threads', '99999999999'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--threads must be at most 1024');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(fs.existsSync(path.join(d, 'minimal.duckdb'))).toBe(false);
  });

  it('threads: 5000 in a profile is exit 2 at its line and creates no warehouse', () => {
    const d = copyFixture('valid', 'minimal');
    fs.writeFileSync(path.join(d, 'profiles.yml'), 'minimal:\n  outputs:\n    dev:\n      type: duckdb\n      path: w.duckdb\n      threads: 5000\n');
    const r = etlx(['build'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('profiles.yml:6');
    expect(r.stderr).toContain('must be at most 1024');
    expect(fs.existsSync(path.join(d, 'w.duckdb'))).toBe(false);
  });
});

describe('inputs that crashed or hung', () => {
  it('a dangling symlink under models/ is exit 2 naming the file, not an internal ENOENT', () => {
    const d = copyFixture('valid', 'minimal');
    fs.symlinkSync('missing.sql', path.join(d, 'models', 'gone.sql'));
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('models/gone.sql not a regular file: a symbolic link to a missing file');
    expect(r.stderr).not.toContain('internal');
  });

  it('a FIFO named models/x.sql is refused at once instead of hanging compile', () => {
    const d = copyFixture('valid', 'minimal');
    expect(spawnSync('mkfifo', [path.join(d, 'models', 'x.sql')]).status).toBe(0);
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('models/x.sql not a regular file: a named pipe (FIFO)');
  });

  it('a YAML alias bomb in a var that a model reads is exit 2 at its line, not gigabytes of memory', () => {
    const d = copyFixture('valid', 'minimal');
    const levels = ['  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [prev, k] of [...'abcdefgh'].map((p, i) => [p, 'bcdefghi'[i]!])) levels.push(`  ${k}: &${k} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    fs.writeFileSync(path.join(d, 'etlx.yml'), `name: minimal\nvars:\n${levels.join('\n')}\n`);
    fs.writeFileSync(path.join(d, 'models', 'bomb.sql'), 'select {{var "i"}} as x\n');
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('etlx.yml:11:');
    expect(r.stderr).toContain('YAML aliases here expand to more than 1,000,000 values');
  });
});
