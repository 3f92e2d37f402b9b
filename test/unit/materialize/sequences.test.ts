/**
 * Golden statement sequences: each materialization kind, run against a scripted fake Warehouse,
 * for its main cases. The transcript pins everything the kind decides and sends, in order:
 * catalog lookups, statements, transactions, file steps and the outcome. When a change is
 * intended, rewrite the files with
 *   UPDATE_GOLDEN=1 npx vitest run test/unit/materialize/sequences.test.ts
 * and review the diff of test/golden/sequences/ in the commit.
 */
import path from 'node:path';
import { describe, it } from 'vitest';
import { goldenFolder } from '../golden-files.js';
import type { CompiledNode } from '../../../src/compile/compile.js';
import type { MaterializationSpec, ModelNode, SeedNode, SnapshotNode, TestNode } from '../../../src/parse/nodes.js';
import { MATERIALIZATIONS, kindOf, type RunnableNode } from '../../../src/materialize/index.js';
import { NodeFailure, type NodeWork } from '../../../src/materialize/types.js';
import { FakeFiles, FakeWarehouse, type Script } from './fake-warehouse.js';

const golden = goldenFolder(path.resolve(import.meta.dirname, '../../golden/sequences'));


const SELECT = `select id, customer_id, amount, updated_at\nfrom "staging"."orders"`;
const INCREMENTAL_SELECT = `${SELECT}\nwhere updated_at > (select max(updated_at) from "analytics"."orders")`;
const REL = '"analytics"."orders"';
const TARGET = { schema: 'analytics', identifier: 'orders' };
const HAVE = [
  { name: 'id', type: 'BIGINT' },
  { name: 'customer_id', type: 'BIGINT' },
  { name: 'amount', type: 'DECIMAL(18,2)' },
  { name: 'updated_at', type: 'TIMESTAMP' },
];

function model(mat: MaterializationSpec, config: Partial<ModelNode['config']> = {}): ModelNode {
  return { id: 'model.p.orders', name: 'orders', path: 'models/orders.sql', resourceType: 'model', mat, config: { full_refresh: undefined, ...config } } as unknown as ModelNode;
}

function compiled(o: Partial<CompiledNode> = {}): CompiledNode {
  return {
    id: 'x',
    sql: SELECT,
    display: SELECT,
    varsRead: {},
    ephemerals: [],
    preHooks: [],
    postHooks: [],
    incremental: { sql: INCREMENTAL_SELECT, rendered: { text: INCREMENTAL_SELECT, map: [] } as never },
    ...o,
  };
}

const incremental = (strategy: 'append' | 'delete+insert' | 'merge', uniqueKey: string[], onSchemaChange: 'ignore' | 'fail' | 'append_new_columns' | 'sync_all_columns' = 'ignore'): MaterializationSpec => ({
  kind: 'incremental',
  strategy,
  uniqueKey,
  onSchemaChange,
});

const fileSpec = (over: Partial<Extract<MaterializationSpec, { kind: 'file' }>> = {}): MaterializationSpec => ({
  kind: 'file',
  location: '/project/exports/orders.parquet',
  locationShown: 'exports/orders.parquet',
  format: 'parquet',
  partitionBy: [],
  options: {},
  incremental: false,
  ...over,
});

interface Case {
  readonly node: RunnableNode;
  readonly compiled?: CompiledNode;
  readonly script?: Script;
  readonly relation?: string;
  readonly target?: { schema: string; identifier: string };
  readonly fullRefresh?: boolean;
  readonly withFiles?: boolean;
  readonly testedRelation?: string;
}

/** Runs one node's kind against the fake; the transcript ends with the outcome or the failure. */
async function sequence(c: Case): Promise<string> {
  const wh = new FakeWarehouse(c.script ?? {});
  const work: NodeWork<RunnableNode> = {
    node: c.node,
    compiled: c.compiled ?? compiled(),
    relation: c.relation ?? REL,
    ...(c.target !== null ? { target: c.target ?? TARGET } : {}),
    fullRefresh: c.fullRefresh ?? false,
    files: new FakeFiles(wh.transcript, c.withFiles ?? false),
    runTag: '20240101120000_0123abcd',
    stagingId: '0123abcd-0000-0000-0000-000000000000',
    ...(c.testedRelation ? { testedRelation: c.testedRelation } : {}),
  };
  const kind = MATERIALIZATIONS[kindOf(c.node)] as unknown as { run(w: typeof work, x: FakeWarehouse): Promise<unknown> };
  try {
    const outcome = await kind.run(work, wh);
    wh.transcript.push(`-- outcome: ${JSON.stringify(outcome)}`);
  } catch (e) {
    if (!(e instanceof NodeFailure) && !(e instanceof Error)) throw e;
    wh.transcript.push(e instanceof NodeFailure ? `-- fails: ${JSON.stringify(e.diagnostic)}` : `-- fails: ${e.message}`);
  }
  return `${wh.transcript.join('\n\n')}\n`;
}

const created = [/^create (or replace )?table/, 3] as const;

describe('statement sequences per kind (golden, fake Warehouse)', () => {
  it('view: first run, replacing a table, with hooks', async () => {
    golden('view_first_run', await sequence({ node: model({ kind: 'view' }) }));
    golden('view_replacing_table', await sequence({ node: model({ kind: 'view' }), script: { existing: { 'analytics.orders': 'table' } } }));
    golden('view_with_hooks', await sequence({ node: model({ kind: 'view' }), compiled: compiled({ preHooks: ['set threads = 2'], postHooks: [`analyze ${REL}`] }) }));
  });

  it('table: first run, replacing a view, a failed build', async () => {
    golden('table_first_run', await sequence({ node: model({ kind: 'table' }), script: { counts: [created] } }));
    golden('table_replacing_view', await sequence({ node: model({ kind: 'table' }), script: { existing: { 'analytics.orders': 'view' }, counts: [created] } }));
    golden('table_failed_build', await sequence({ node: model({ kind: 'table' }), script: { existing: { 'analytics.orders': 'table' }, failOn: /create or replace table/ } }));
  });

  it('ephemeral: nothing is sent', async () => {
    golden('ephemeral', await sequence({ node: model({ kind: 'ephemeral' }), target: undefined }));
  });

  it('incremental: first run and full refresh build the table', async () => {
    golden('incremental_first_run', await sequence({ node: model(incremental('merge', ['id'])), script: { counts: [created] } }));
    golden('incremental_full_refresh', await sequence({ node: model(incremental('merge', ['id'])), fullRefresh: true, script: { existing: { 'analytics.orders': 'table' }, counts: [created] } }));
  });

  const later = (extra: Partial<Script> = {}): Script => ({
    existing: { 'analytics.orders': 'table' },
    columns: { 'analytics.orders': HAVE, 'temp.etlx_new_orders': HAVE },
    counts: [[/^insert into/, 2], [/^merge into/, 2]],
    ...extra,
  });

  it('incremental: each strategy on a later run', async () => {
    golden('incremental_append', await sequence({ node: model(incremental('append', [])), script: later() }));
    golden('incremental_delete_insert', await sequence({ node: model(incremental('delete+insert', ['id'])), script: later() }));
    golden('incremental_merge', await sequence({ node: model(incremental('merge', ['id', 'customer_id'])), script: later() }));
    golden('incremental_merge_atomic', await sequence({ node: model(incremental('merge', ['id'])), script: later({ inRunTransaction: true }) }));
  });

  it('incremental: duplicate keys in the new rows fail and change nothing', async () => {
    golden(
      'incremental_duplicate_keys',
      await sequence({ node: model(incremental('merge', ['id'])), script: later({ answers: [[/having count\(\*\) > 1/, [{ id: 7, n: 2 }]]] }) }),
    );
  });

  it('incremental: each on_schema_change mode', async () => {
    const come = [...HAVE.filter((c) => c.name !== 'amount'), { name: 'discount', type: 'DOUBLE' }];
    const changed = (): Script => later({ columns: { 'analytics.orders': HAVE, 'temp.etlx_new_orders': come } });
    for (const mode of ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const) {
      golden(`incremental_schema_${mode}`, await sequence({ node: model(incremental('merge', ['id'], mode)), script: changed() }));
    }
  });

  it('incremental: a column type change (amount DECIMAL(18,2) -> DECIMAL(18,4)) in each on_schema_change mode', async () => {
    const come = HAVE.map((c) => (c.name === 'amount' ? { name: 'amount', type: 'DECIMAL(18,4)' } : c));
    const retyped = (): Script => later({ columns: { 'analytics.orders': HAVE, 'temp.etlx_new_orders': come } });
    for (const mode of ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const) {
      golden(`incremental_type_change_${mode}`, await sequence({ node: model(incremental('merge', ['id'], mode)), script: retyped() }));
    }
  });

  it('file: without and with partitions, zero rows, incremental', async () => {
    golden('file_plain', await sequence({ node: model(fileSpec()), target: undefined, relation: "read_parquet('/project/exports/orders.parquet')", script: { counts: [[/^copy/, 5]] } }));
    const part = fileSpec({ location: '/project/exports/orders', locationShown: 'exports/orders', partitionBy: ['order_month'] });
    golden('file_partitioned', await sequence({ node: model(part), target: undefined, script: { counts: [[/^copy/, 5]] } }));
    golden('file_partitioned_zero_rows', await sequence({ node: model(part), target: undefined, script: { counts: [[/^copy/, 0]] } }));
    const inc = fileSpec({ location: '/project/exports/orders', locationShown: 'exports/orders', incremental: true });
    golden('file_incremental_adding', await sequence({ node: model(inc), target: undefined, withFiles: true, script: { counts: [[/^copy/, 2]] } }));
    golden('file_failed_copy', await sequence({ node: model(fileSpec()), target: undefined, script: { failOn: /^copy/ } }));
  });

  const seedNode = {
    id: 'seed.p.country_codes',
    name: 'country_codes',
    path: 'seeds/country_codes.csv',
    resourceType: 'seed',
    absPath: '/project/seeds/country_codes.csv',
    config: { tags: [], enabled: true, column_types: {}, header: true, pre_hook: [], post_hook: [] },
  } as unknown as SeedNode;

  it('seed: a load, and a malformed file explained from the rejects table', async () => {
    const target = { schema: 'main', identifier: 'country_codes' };
    golden('seed_load', await sequence({ node: seedNode, relation: '"main"."country_codes"', target, script: { counts: [created] } }));
    golden(
      'seed_malformed',
      await sequence({
        node: seedNode,
        relation: '"main"."country_codes"',
        target,
        script: {
          failOn: /^create or replace table/,
          answers: [[/from reject_errors/, [{ line: 4, error_type: 'TOO MANY COLUMNS', csv_line: 'FI,Finland,extra', error_message: 'Expected Number of Columns: 2 Found: 3' }]]],
        },
      }),
    );
  });

  const testNode = (config: Partial<TestNode['config']>, kind = 'not_null'): TestNode =>
    ({
      id: 'test.p.not_null_orders_id',
      name: 'not_null_orders_id',
      path: 'models/schema.yml',
      line: 12,
      resourceType: 'test',
      kind,
      testType: 'generic',
      config: { severity: 'error', warn_if: '!= 0', error_if: '!= 0', store_failures: false, ...config },
    }) as unknown as TestNode;
  const testSql = compiled({ sql: `select *\nfrom ${REL} as model\nwhere "id" is null`, incremental: undefined });
  const failing = (n: number): Script => ({
    answers: [
      [/as etlx_failures/, [{ failures: n }]],
      [/limit 5$/, [{ id: 'NULL', amount: '3.50' }]],
    ],
  });

  it('test: pass, fail, thresholds, warn severity, store_failures, row_count_change', async () => {
    golden('test_pass', await sequence({ node: testNode({}), compiled: testSql, relation: '', target: undefined, script: failing(0) }));
    golden('test_fail', await sequence({ node: testNode({}), compiled: testSql, relation: '', target: undefined, script: failing(2) }));
    golden('test_thresholds_warn', await sequence({ node: testNode({ warn_if: '> 1', error_if: '> 10' }), compiled: testSql, relation: '', target: undefined, script: failing(2) }));
    golden('test_severity_warn', await sequence({ node: testNode({ severity: 'warn' }), compiled: testSql, relation: '', target: undefined, script: failing(1) }));
    golden('test_store_failures', await sequence({ node: testNode({ store_failures: true }), compiled: testSql, relation: '', target: undefined, script: failing(1) }));
    golden(
      'test_row_count_change',
      await sequence({ node: testNode({}, 'row_count_change'), compiled: testSql, relation: '', target: undefined, testedRelation: REL, script: { answers: [[/as etlx_failures/, [{ failures: 0 }]], [/^select count\(\*\) as n/, [{ n: 120 }]]] } }),
    );
  });

  const META = { dbt_valid_from: 'dbt_valid_from', dbt_valid_to: 'dbt_valid_to', dbt_scd_id: 'dbt_scd_id', dbt_updated_at: 'dbt_updated_at', dbt_is_deleted: 'dbt_is_deleted' };
  const snapNode = (config: Partial<SnapshotNode['config']>): SnapshotNode =>
    ({
      id: 'snapshot.p.customers',
      name: 'customers',
      path: 'snapshots/customers.sql',
      resourceType: 'snapshot',
      config: { materialized: 'snapshot', strategy: 'timestamp', unique_key: ['id'], updated_at: 'updated_at', check_cols: [], hard_deletes: 'ignore', snapshot_meta_column_names: META, tags: [], enabled: true, pre_hook: [], post_hook: [], meta: {}, ...config },
    }) as unknown as SnapshotNode;
  const SNAP_SQL = `select id, name, updated_at from "crm"."customers"`;
  const snapCompiled = compiled({ sql: SNAP_SQL, incremental: undefined });
  const SNAP_REL = '"snapshots"."customers"';
  const SNAP_TARGET = { schema: 'snapshots', identifier: 'customers' };
  const SRC_COLS = [
    { name: 'id', type: 'BIGINT' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'updated_at', type: 'TIMESTAMP' },
  ];
  const HIST_COLS = [...SRC_COLS, ...['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'].map((name) => ({ name, type: name === 'dbt_scd_id' ? 'VARCHAR' : 'TIMESTAMP' }))];
  const snapLater = (extra: Partial<Script> = {}): Script => ({
    existing: { 'snapshots.customers': 'table' },
    columns: { 'snapshots.customers': HIST_COLS, 'temp.etlx_snapshot_customers': SRC_COLS },
    counts: [[/^update/, 1], [/^insert into/, 2]],
    ...extra,
  });
  const snap = (config: Partial<SnapshotNode['config']>, script: Script) =>
    sequence({ node: snapNode(config), compiled: snapCompiled, relation: SNAP_REL, target: SNAP_TARGET, script });

  it('snapshot: first run, timestamp and check strategies, each hard_deletes mode, a new column, duplicate keys', async () => {
    golden('snapshot_first_run', await snap({}, { counts: [[/^create table/, 3]] }));
    golden('snapshot_first_run_new_record', await snap({ hard_deletes: 'new_record' }, { counts: [[/^create table/, 3]] }));
    golden('snapshot_timestamp', await snap({}, snapLater()));
    golden('snapshot_check', await snap({ strategy: 'check', check_cols: ['name'] }, snapLater()));
    golden('snapshot_check_all', await snap({ strategy: 'check', check_cols: 'all', unique_key: ['id', 'name'] }, snapLater()));
    golden('snapshot_invalidate', await snap({ hard_deletes: 'invalidate' }, snapLater()));
    golden('snapshot_new_record', await snap({ hard_deletes: 'new_record' }, snapLater({ columns: { 'snapshots.customers': [...HIST_COLS, { name: 'dbt_is_deleted', type: 'BOOLEAN' }], 'temp.etlx_snapshot_customers': SRC_COLS } })));
    golden('snapshot_new_column', await snap({}, snapLater({ columns: { 'snapshots.customers': HIST_COLS, 'temp.etlx_snapshot_customers': [...SRC_COLS, { name: 'tier', type: 'VARCHAR' }] } })));
    golden(
      'snapshot_renamed_meta_columns',
      await snap({ snapshot_meta_column_names: { ...META, dbt_valid_from: 'valid_from', dbt_valid_to: 'valid_to' } }, snapLater()),
    );
    golden('snapshot_duplicate_keys', await snap({}, snapLater({ answers: [[/having count\(\*\) > 1/, [{ id: 7, n: 2 }]]] })));
    golden('snapshot_full_refresh_keeps_history', await sequence({ node: snapNode({}), compiled: snapCompiled, relation: SNAP_REL, target: SNAP_TARGET, fullRefresh: true, script: snapLater() }));
  });
});
