import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-cc-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function compile(dir: string) {
  let out = '';
  const sink = { write: (s: string) => void (out += s), isTTY: false };
  const code = await main(['compile', '--project-dir', dir], { stdout: sink, stderr: sink, env: { HOME: tmp, PATH: process.env.PATH, NO_COLOR: '1' } });
  return { code, out };
}

describe('an unchanged project recompiles without redoing work', () => {
  it('leaves unchanged compiled files alone, rewrites changed or deleted ones, and still finds new syntax errors', async () => {
    const dir = path.join(tmp, 'p');
    fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'etlx.yml'), 'name: cc\n');
    fs.writeFileSync(path.join(dir, 'models', 'a.sql'), 'select 1 as x\n');
    fs.writeFileSync(path.join(dir, 'models', 'b.sql'), 'select * from {{ref "a"}}\n');
    expect((await compile(dir)).code).toBe(0);
    const a = path.join(dir, 'target', 'compiled', 'models', 'a.sql');
    const b = path.join(dir, 'target', 'compiled', 'models', 'b.sql');
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(a, old, old);
    fs.utimesSync(b, old, old);
    fs.writeFileSync(path.join(dir, 'models', 'b.sql'), 'select x + 1 as y from {{ref "a"}}\n');
    expect((await compile(dir)).code).toBe(0);
    expect(fs.statSync(a).mtime.getTime()).toBe(old.getTime());
    expect(fs.readFileSync(b, 'utf8')).toBe('select x + 1 as y from "main"."a"\n');
    fs.rmSync(a);
    expect((await compile(dir)).code).toBe(0);
    expect(fs.readFileSync(a, 'utf8')).toBe('select 1 as x\n');
    // A model that passed before and breaks now is checked again.
    fs.writeFileSync(path.join(dir, 'models', 'a.sql'), 'selec 1 as x\n');
    const broken = await compile(dir);
    expect(broken.code).toBe(2);
    expect(broken.out).toContain('models/a.sql:1:1 SQL syntax error in model a');
    fs.writeFileSync(path.join(dir, 'models', 'a.sql'), 'select 1 as x\n');
    expect((await compile(dir)).code).toBe(0);
  });
});
