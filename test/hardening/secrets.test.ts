import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { listFilesRec, queryFile, TestProject } from '../integration/helpers.js';

const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.cleanup()));

describe('values read with {{env}} in profiles', () => {
  it('never appear in output, logs, the manifest, run_results, compiled or run SQL, or etlx_meta', async () => {
    const secretDir = 'vault-7f3k9q';
    const token = 'tok-9x8y7z-SECRET';
    const p = new TestProject('sec', {
      'profiles.yml': "sec:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{{env \"ETLX_TEST_DB\"}}'\n      settings:\n        custom_user_agent: '{{env \"ETLX_TEST_TOKEN\"}}'\n",
      'models/ok.sql': 'select 1 as id\n',
      'models/broken.sql': "select 'x'::integer as id\n",
      'models/props.yml': 'models:\n  - name: ok\n    columns:\n      - name: id\n        tests: [not_null]\n',
      [`${secretDir}/.keep`]: '',
    }, 'name: sec\nmodels:\n  materialized: table\n');
    projects.push(p);
    const db = p.path(`${secretDir}/warehouse.duckdb`);
    const env = { ETLX_TEST_DB: db, ETLX_TEST_TOKEN: token };
    let printed = '';
    for (const argv of [['build'], ['build', '--log-format', 'json'], ['debug'], ['run', '--select', 'ok', '--debug']]) {
      const r = await p.runWithEnv(env, ...argv);
      expect([0, 1]).toContain(r.code);
      printed += r.output;
    }
    expect(printed).toContain('****');
    expect(fs.existsSync(db)).toBe(true);
    const texts = [printed, ...listFilesRec(p.path('target')).map((f) => p.read(`target/${f}`))];
    for (const table of ['invocations', 'node_results']) texts.push(JSON.stringify(await queryFile(db, `select * from etlx_meta.${table}`)));
    for (const t of texts) {
      expect(t).not.toContain(secretDir);
      expect(t).not.toContain(token);
    }
  });
});
