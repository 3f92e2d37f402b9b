/**
 * Golden files pinning the SQL each materialization plans. A changed plan fails here with a
 * diff; when the change is intended, rewrite the files with
 *   UPDATE_GOLDEN=1 npx vitest run test/unit/materialize/golden.test.ts
 * and review the diff of test/golden/materialize/ in the commit.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenFolder } from '../golden-files.js';
import type { MaterializationSpec, SeedNode } from '../../../src/parse/nodes.js';
import { emptyDatasetSql, filePlan, stagingPath } from '../../../src/materialize/file.js';
import { applyNewRows, columnsSql, dropStaging, duplicateKeySql, planSchemaChange, stageNewRows } from '../../../src/materialize/incremental.js';
import { seedDiagnosisSql, seedPlan } from '../../../src/materialize/seed.js';
import { tablePlan } from '../../../src/materialize/table.js';
import type { StatementPlan } from '../../../src/materialize/types.js';
import { viewPlan } from '../../../src/materialize/view.js';

const golden = goldenFolder(path.resolve(import.meta.dirname, '../../golden/materialize'));

/** A plan as text: whether it runs in a transaction, then each statement with its purpose. */
function show(plan: StatementPlan): string {
  const lines = [`-- transactional: ${plan.transactional}`];
  for (const st of plan.statements) lines.push('', `-- ${st.purpose}${st.countsRows ? ' (rows_affected)' : ''}`, `${st.sql};`);
  return `${lines.join('\n')}\n`;
}


const REL = '"analytics"."orders"';
const SELECT = `select id, customer_id, amount, updated_at\nfrom "staging"."orders"\nwhere amount > 0`;
const PRE = [`insert into audit.log values ('start', now())`];
const POST = [`analyze ${REL}`, `insert into audit.log values ('end', now())`];

type Incremental = Extract<MaterializationSpec, { kind: 'incremental' }>;
type FileSpec = Extract<MaterializationSpec, { kind: 'file' }>;
const incremental = (strategy: Incremental['strategy'], uniqueKey: string[], onSchemaChange: Incremental['onSchemaChange'] = 'ignore'): Incremental => ({
  kind: 'incremental',
  strategy,
  uniqueKey,
  onSchemaChange,
});
const file = (over: Partial<FileSpec> = {}): FileSpec => ({
  kind: 'file',
  location: '/project/exports/orders.parquet',
  locationShown: 'exports/orders.parquet',
  format: 'parquet',
  partitionBy: [],
  options: {},
  incremental: false,
  ...over,
});
const seed = (config: Partial<SeedNode['config']> = {}): SeedNode =>
  ({
    id: 'seed.p.country_codes',
    name: 'country_codes',
    resourceType: 'seed',
    absPath: '/project/seeds/country_codes.csv',
    config: { tags: [], enabled: true, column_types: {}, header: true, pre_hook: [], post_hook: [], ...config },
  }) as unknown as SeedNode;
const HAVE = [
  { name: 'id', type: 'BIGINT' },
  { name: 'customer_id', type: 'BIGINT' },
  { name: 'amount', type: 'DECIMAL(18,2)' },
  { name: 'legacy_flag', type: 'BOOLEAN' },
];
const COME = [
  { name: 'id', type: 'BIGINT' },
  { name: 'customer_id', type: 'BIGINT' },
  { name: 'amount', type: 'DECIMAL(18,2)' },
  { name: 'updated_at', type: 'TIMESTAMP' },
];

function applied(spec: Incremental): string {
  const change = planSchemaChange(REL, spec, HAVE, COME);
  if (!change.ok) throw new Error(change.message);
  return show(applyNewRows(REL, 'orders', spec, change, []));
}

describe('materialization SQL (golden)', () => {
  it('view', () => {
    golden('view', show(viewPlan(REL, SELECT, undefined, [], [])));
    golden('view_replacing_table', show(viewPlan(REL, SELECT, { type: 'table' }, [], [])));
    golden('view_with_hooks', show(viewPlan(REL, SELECT, { type: 'view' }, PRE, POST)));
  });

  it('table', () => {
    golden('table', show(tablePlan(REL, SELECT, undefined, [], [])));
    golden('table_replacing_view', show(tablePlan(REL, SELECT, { type: 'view' }, [], [])));
    golden('table_with_hooks', show(tablePlan(REL, SELECT, { type: 'table' }, PRE, POST)));
  });

  it('seed', () => {
    golden('seed', show(seedPlan(seed(), '"main"."country_codes"', [], [])));
    golden(
      'seed_column_types',
      show(seedPlan(seed({ column_types: { code: 'varchar', population: 'bigint' }, delimiter: ';', pre_hook: PRE }), '"ref"."country_codes"', PRE, [])),
    );
    const d = seedDiagnosisSql(seed());
    golden('seed_diagnosis', `${d.scan};\n\n${d.errors};\n`);
  });

  it('incremental: staging, key check, columns', () => {
    golden('incremental_stage', show(stageNewRows('orders', SELECT, PRE)));
    golden('incremental_checks', [duplicateKeySql('orders', ['id', 'day']), columnsSql('analytics', 'orders'), columnsSql(null, 'etlx_new_orders', true), dropStaging('orders').sql].map((s) => `${s};\n`).join('\n'));
  });

  it('incremental: each strategy', () => {
    golden('incremental_append', applied(incremental('append', [])));
    golden('incremental_delete_insert', applied(incremental('delete+insert', ['id'])));
    golden('incremental_merge', applied(incremental('merge', ['id'])));
    golden('incremental_merge_multi_key', applied(incremental('merge', ['id', 'customer_id'])));
    golden('incremental_delete_insert_multi_key', applied(incremental('delete+insert', ['id', 'customer_id'])));
  });

  it('incremental: schema changes and hooks', () => {
    golden('incremental_append_new_columns', applied(incremental('merge', ['id'], 'append_new_columns')));
    golden('incremental_sync_all_columns', applied(incremental('delete+insert', ['id'], 'sync_all_columns')));
    const spec = incremental('merge', ['id']);
    const change = planSchemaChange(REL, spec, COME, COME);
    if (!change.ok) throw new Error(change.message);
    golden('incremental_merge_with_post_hook', show(applyNewRows(REL, 'orders', spec, change, POST)));
    // Only key columns: nothing to update, so no WHEN MATCHED clause.
    const keysOnly = planSchemaChange(REL, spec, [{ name: 'id', type: 'BIGINT' }], [{ name: 'id', type: 'BIGINT' }]);
    if (!keysOnly.ok) throw new Error(keysOnly.message);
    golden('incremental_merge_keys_only', show(applyNewRows(REL, 'orders', spec, keysOnly, [])));
  });

  it('file', () => {
    const inv = '0123abcd-0000-0000-0000-000000000000';
    const tag = '20240101120000_0123abcd';
    const plain = file();
    // Staging sits outside the folder that holds the dataset (a reader's exports/** glob must not see it).
    const dir = '/project/.etlx-outputs/staging';
    expect(stagingPath(dir, plain.location, inv)).toMatch(/^\/project\/\.etlx-outputs\/staging\/orders\.parquet-[0-9a-f]{10}\.tmp-0123abcd$/);
    golden('file_parquet', show(filePlan(plain, SELECT, stagingPath(dir, plain.location, inv), [], [], tag)));
    const csv = file({ location: '/project/exports/orders.csv', locationShown: 'exports/orders.csv', format: 'csv', options: { header: true, delimiter: '|' } });
    golden('file_csv_options', show(filePlan(csv, SELECT, stagingPath(dir, csv.location, inv), PRE, POST, tag)));
    const json = file({ location: '/project/exports/orders.json', locationShown: 'exports/orders.json', format: 'json' });
    golden('file_json', show(filePlan(json, SELECT, stagingPath(dir, json.location, inv), [], [], tag)));
    const part = file({ location: '/project/exports/orders', locationShown: 'exports/orders', partitionBy: ['order_month', 'region'] });
    golden('file_partitioned', show(filePlan(part, SELECT, stagingPath(dir, part.location, inv), [], [], tag)));
    golden('file_partitioned_empty', `${emptyDatasetSql(part, SELECT, stagingPath(dir, part.location, inv))};\n`);
    const inc = file({ location: '/project/exports/orders', locationShown: 'exports/orders', incremental: true });
    golden('file_incremental', show(filePlan(inc, SELECT, stagingPath(dir, inc.location, inv), [], [], tag)));
    const incPart = file({ location: '/project/exports/orders', locationShown: 'exports/orders', incremental: true, partitionBy: ['order_month'] });
    golden('file_incremental_partitioned', show(filePlan(incPart, SELECT, stagingPath(dir, incPart.location, inv), [], [], tag)));
  });
});
