import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { etlxCommand, initReport } from '../../../src/project/init.js';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-init-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function fakeBin(packageRoot: string): string {
  const bin = path.join(packageRoot, 'bin', 'etlx.js');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.writeFileSync(bin, '');
  return bin;
}

describe('the next step init prints matches how etlx is run', () => {
  it('installed with npm install -D in the project (or a folder above it): npx etlx', () => {
    const repo = path.join(dir, 'repo');
    const bin = fakeBin(path.join(repo, 'node_modules', 'etlx'));
    expect(etlxCommand(repo, { PATH: '' }, bin)).toBe('npx etlx');
    expect(etlxCommand(path.join(repo, 'warehouse'), { PATH: '' }, bin)).toBe('npx etlx');
    expect(etlxCommand(path.join(dir, 'elsewhere'), { PATH: '' }, bin)).toBe(`node ${bin}`);
  });

  it('installed globally, with its bin on PATH: etlx', () => {
    const prefix = path.join(dir, 'prefix');
    const bin = fakeBin(path.join(prefix, 'lib', 'node_modules', 'etlx'));
    fs.mkdirSync(path.join(prefix, 'bin'));
    fs.symlinkSync('../lib/node_modules/etlx/bin/etlx.js', path.join(prefix, 'bin', 'etlx'));
    expect(etlxCommand(path.join(dir, 'x'), { PATH: ['/usr/bin', path.join(prefix, 'bin')].join(path.delimiter) }, bin)).toBe('etlx');
    expect(etlxCommand(path.join(dir, 'x'), { PATH: '/usr/bin' }, bin)).toBe(`node ${bin}`);
  });

  it("a project inside etlx's own checkout: npx etlx", () => {
    const checkout = path.join(dir, 'etlx-checkout');
    const bin = fakeBin(checkout);
    expect(etlxCommand(path.join(checkout, 'demo'), {}, bin)).toBe('npx etlx');
  });

  it('the report names created and kept files and cds into the project', () => {
    const text = initReport({ root: path.join(dir, 'p q'), created: ['etlx.yml'], kept: ['.gitignore'], gitignoreMissing: ['exports/'] }, dir, { PATH: '' });
    expect(text).toContain(`Created a project in ${path.join(dir, 'p q')}:\n  etlx.yml\nKept, already there and left unchanged:\n  .gitignore\n`);
    expect(text).toContain('lacks these lines');
    expect(text).toMatch(/\nNext: cd 'p q' && (npx etlx|etlx|node \S+) build\n$/);
  });
});
