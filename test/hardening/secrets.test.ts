import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-secrets-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('values read with {{env}} in profiles', () => {
  it('never appear in output, logs, the manifest, run_results, compiled or run SQL, or etlx_meta', async () => {
    const dir = path.join(tmp, 'p');
    const secretDir = 'vault-7f3k9q';
    const token = 'tok-9x8y7z-SECRET';
    fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
    fs.mkdirSync(path.join(dir, secretDir));
    fs.writeFileSync(path.join(dir, 'etlx.yml'), 'name: sec\nmodels:\n  materialized: table\n');
    fs.writeFileSync(
      path.join(dir, 'profiles.yml'),
      "sec:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{{env \"ETLX_TEST_DB\"}}'\n      settings:\n        custom_user_agent: '{{env \"ETLX_TEST_TOKEN\"}}'\n",
    );
    fs.writeFileSync(path.join(dir, 'models', 'ok.sql'), 'select 1 as id\n');
    fs.writeFileSync(path.join(dir, 'models', 'broken.sql'), "select 'x'::integer as id\n");
    fs.writeFileSync(path.join(dir, 'models', 'props.yml'), 'models:\n  - name: ok\n    columns:\n      - name: id\n        tests: [not_null]\n');
    const db = path.join(dir, secretDir, 'warehouse.duckdb');
    const env = { HOME: tmp, PATH: process.env.PATH, NO_COLOR: '1', ETLX_TEST_DB: db, ETLX_TEST_TOKEN: token };
    let printed = '';
    const sink = { write: (s: string) => void (printed += s), isTTY: false };
    for (const argv of [['build'], ['build', '--log-format', 'json'], ['debug'], ['run', '--select', 'ok', '--debug']]) {
      const code = await main([...argv, '--project-dir', dir], { stdout: sink, stderr: sink, env });
      expect([0, 1]).toContain(code);
    }
    expect(printed).toContain('****');
    expect(fs.existsSync(db)).toBe(true);
    const texts = [printed, ...allFiles(path.join(dir, 'target')).map((f) => fs.readFileSync(f, 'utf8'))];
    const inst = await DuckDBInstance.create(db);
    const c = await inst.connect();
    for (const table of ['invocations', 'node_results']) {
      texts.push(JSON.stringify((await c.runAndReadAll(`select * from etlx_meta.${table}`)).getRowObjectsJson()));
    }
    c.closeSync();
    inst.closeSync();
    for (const t of texts) {
      expect(t).not.toContain(secretDir);
      expect(t).not.toContain(token);
    }
  });
});
