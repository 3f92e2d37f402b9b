import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { TestProject } from '../integration/helpers.js';

const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.cleanup()));

describe('an unchanged project recompiles without redoing work', () => {
  it('leaves unchanged compiled files alone, rewrites changed or deleted ones, and still finds new syntax errors', async () => {
    const p = new TestProject('cc', { 'models/a.sql': 'select 1 as x\n', 'models/b.sql': 'select * from {{ref "a"}}\n' });
    projects.push(p);
    expect((await p.run('compile')).code).toBe(0);
    const a = p.path('target/compiled/models/a.sql');
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(a, old, old);
    p.write({ 'models/b.sql': 'select x + 1 as y from {{ref "a"}}\n' });
    expect((await p.run('compile')).code).toBe(0);
    expect(fs.statSync(a).mtime.getTime()).toBe(old.getTime());
    expect(p.read('target/compiled/models/b.sql')).toBe('select x + 1 as y from "main"."a"\n');
    fs.rmSync(a);
    expect((await p.run('compile')).code).toBe(0);
    expect(p.read('target/compiled/models/a.sql')).toBe('select 1 as x\n');
    // A model that passed before and breaks now is checked again.
    p.write({ 'models/a.sql': 'selec 1 as x\n' });
    const broken = await p.run('compile');
    expect(broken.code).toBe(2);
    expect(broken.output).toContain('models/a.sql:1:1 SQL syntax error in model a');
    p.write({ 'models/a.sql': 'select 1 as x\n' });
    expect((await p.run('compile')).code).toBe(0);
  });
});
