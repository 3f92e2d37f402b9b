import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from '../../../src/project/make-dirs.js';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-mkdirs-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('makeDirs always returns', () => {
  it('creates the missing folders and returns the first one it made', () => {
    expect(makeDirs(path.join(dir, 'a', 'b', 'c'))).toBe(path.join(dir, 'a'));
    expect(fs.statSync(path.join(dir, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(makeDirs(path.join(dir, 'a', 'b'))).toBeUndefined();
  });

  it('a path through a file throws ENOTDIR', () => {
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    expect(() => makeDirs(path.join(dir, 'f', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  // Node's mkdirSync(..., {recursive: true}) never returns here, at 100% CPU.
  it.runIf(fs.existsSync('/proc/self'))('a folder under /proc throws instead of spinning', () => {
    expect(() => makeDirs('/proc/etlx-make-dirs-test/x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
