import { describe, expect, it } from 'vitest';
import type { TestNode } from '../../../src/parse/nodes.js';
import { GENERIC_TESTS, parseTestEntry, parseTestTarget } from '../../../src/parse/tests.js';
import { parseYamlFile } from '../../../src/config/yaml-file.js';
import type { Diagnostic } from '../../../src/errors/diagnostic.js';
import { codes, parse } from '../compile/memory-project.js';

/** Parses the first test entry of `tests:` in a YAML snippet. */
function entry(yamlText: string, column: string | null = 'id') {
  const yaml = parseYamlFile(yamlText, 'models/p.yml').yaml!;
  const list = (yaml.data as { tests: unknown[] }).tests;
  const diagnostics: Diagnostic[] = [];
  const parsed = parseTestEntry(list[0] as never, yaml, ['tests', 0], column ?? undefined, diagnostics);
  return { parsed, diagnostics };
}

const MODELS = {
  'models/orders.sql': 'select 1 as id, 2 as customer_id, 3 as status',
  'models/customers.sql': 'select 1 as id',
};

function tests(props: string, extra: Record<string, string> = {}): Map<string, TestNode> {
  const p = parse({ ...MODELS, 'models/props.yml': props, ...extra });
  expect(p.diagnostics).toEqual([]);
  return new Map([...p.tests.values()].map((t) => [t.name, t]));
}

describe('parseTestEntry', () => {
  it('a bare name is a test without arguments', () => {
    const { parsed, diagnostics } = entry('tests:\n  - not_null\n');
    expect(diagnostics).toEqual([]);
    expect(parsed).toEqual({ kind: 'not_null', args: {}, config: {}, line: 2, col: 5 });
  });

  it('arguments and config sit side by side', () => {
    const { parsed, diagnostics } = entry('tests:\n  - accepted_values: {values: [a, b], severity: warn, store_failures: true, where: "x > 0"}\n');
    expect(diagnostics).toEqual([]);
    expect(parsed).toMatchObject({ kind: 'accepted_values', args: { values: ['a', 'b'] }, config: { severity: 'warn', store_failures: true, where: 'x > 0' } });
  });

  it('dbt 1.10 nesting under arguments: and config: is flattened', () => {
    const { parsed, diagnostics } = entry('tests:\n  - accepted_values:\n      arguments:\n        values: [a, b]\n        quote: false\n      config:\n        severity: WARN\n        warn_if: "> 10"\n');
    expect(diagnostics).toEqual([]);
    expect(parsed).toMatchObject({ kind: 'accepted_values', args: { values: ['a', 'b'], quote: false }, config: { severity: 'warn', warn_if: '> 10' } });
  });

  it('a test name given as an empty mapping value is fine (`- unique:`)', () => {
    expect(entry('tests:\n  - unique:\n').parsed).toMatchObject({ kind: 'unique', args: {} });
  });

  it('an unknown test is E_TEST_UNKNOWN with a did-you-mean and its line', () => {
    const { parsed, diagnostics } = entry('tests:\n  - not_nul\n');
    expect(parsed).toBeUndefined();
    expect(diagnostics).toEqual([
      {
        code: 'E_TEST_UNKNOWN',
        message: 'unknown test "not_nul"; did you mean "not_null"?',
        file: 'models/p.yml',
        line: 2,
        column: 5,
        hint: `generic tests: ${GENERIC_TESTS.join(', ')}; for anything else write a singular test in tests/*.sql`,
      },
    ]);
    expect(entry('tests:\n  - {acepted_values: {values: [a]}}\n').diagnostics[0]!.message).toBe('unknown test "acepted_values"; did you mean "accepted_values"?');
  });

  it('an unknown argument is E_TEST_ARG with a did-you-mean', () => {
    const { parsed, diagnostics } = entry('tests:\n  - accepted_values:\n      value: [a]\n');
    expect(parsed).toBeUndefined();
    const unknown = diagnostics.find((d) => d.code === 'E_TEST_ARG');
    expect(unknown).toMatchObject({ message: 'unknown key "value" in accepted_values arguments; did you mean "values"?', file: 'models/p.yml', line: 3 });
    expect(unknown!.hint).toContain('test config keys: severity');
  });

  it('missing or badly typed arguments are reported', () => {
    expect(codes(entry('tests:\n  - relationships: {to: customers}\n').diagnostics)).toEqual(['E_CONFIG_MISSING']);
    expect(entry('tests:\n  - accepted_values: {values: a}\n').diagnostics[0]).toMatchObject({ code: 'E_CONFIG_TYPE', line: 2 });
    expect(entry('tests:\n  - row_count: {}\n', null).diagnostics[0]!.message).toContain('give at least one of min, max, equals');
  });

  it('a bad severity or threshold is reported', () => {
    expect(entry('tests:\n  - not_null: {severity: fatal}\n').diagnostics[0]).toMatchObject({ code: 'E_CONFIG_VALUE' });
    expect(entry('tests:\n  - not_null: {warn_if: "lots"}\n').diagnostics[0]!.message).toContain('must look like "> 10"');
  });

  it('an entry with two keys is E_TEST_SHAPE', () => {
    expect(entry('tests:\n  - not_null:\n    severity: warn\n').diagnostics[0]).toMatchObject({ code: 'E_TEST_SHAPE', line: 2 });
  });

  it('row-count tests belong to models, not columns', () => {
    expect(entry('tests:\n  - row_count: {min: 1}\n', 'id').diagnostics[0]).toMatchObject({ code: 'E_TEST_LEVEL', message: 'row_count is a model-level test, not a column test' });
  });

  it('a column test on a model needs column_name', () => {
    expect(entry('tests:\n  - unique\n', null).diagnostics[0]).toMatchObject({ code: 'E_TEST_LEVEL', message: 'unique on a model needs column_name' });
    expect(entry('tests:\n  - unique: {column_name: "id || day"}\n', null).parsed).toMatchObject({ args: { column_name: 'id || day' } });
  });

  it('parseTestTarget reads plain names and dbt ref()/source() spellings', () => {
    expect(parseTestTarget('customers')).toEqual({ model: 'customers' });
    expect(parseTestTarget("ref('customers')")).toEqual({ model: 'customers' });
    expect(parseTestTarget('ref("customers")')).toEqual({ model: 'customers' });
    expect(parseTestTarget("source('shop', 'orders')")).toEqual({ source: 'shop', table: 'orders' });
  });
});

describe('test nodes', () => {
  it('are named <test>_<model>_<column>, or <test>_<model> on a model, without arguments', () => {
    const t = tests(
      'models:\n  - name: orders\n    tests:\n      - row_count: {min: 1}\n      - expression_is_true: {expression: "id > 0"}\n    columns:\n      - name: id\n        tests: [not_null, unique]\n      - name: status\n        tests:\n          - accepted_values: {values: [a, b]}\n      - name: customer_id\n        tests:\n          - relationships: {to: customers, field: id}\n',
    );
    expect([...t.keys()].sort()).toEqual([
      'accepted_values_orders_status',
      'expression_is_true_orders',
      'not_null_orders_id',
      'relationships_orders_customer_id',
      'row_count_orders',
      'unique_orders_id',
    ]);
    const rel = t.get('relationships_orders_customer_id')!;
    expect(rel).toMatchObject({
      id: 'test.proj.relationships_orders_customer_id',
      testType: 'generic',
      kind: 'relationships',
      attachedTo: 'model.proj.orders',
      column: 'customer_id',
      args: { to: 'customers', field: 'id' },
      alsoReads: ['model.proj.customers'],
      path: 'models/props.yml',
      line: 14,
    });
  });

  it('a second test of the same kind on the same column gets _2, a third _3', () => {
    const t = tests('models:\n  - name: orders\n    tests:\n      - expression_is_true: {expression: "id > 0"}\n      - expression_is_true: {expression: "id < 9"}\n      - expression_is_true: {expression: "id <> 5"}\n    columns:\n      - name: status\n        tests:\n          - accepted_values: {values: [a]}\n          - accepted_values: {values: [b], severity: warn}\n');
    expect([...t.keys()].sort()).toEqual(['accepted_values_orders_status', 'accepted_values_orders_status_2', 'expression_is_true_orders', 'expression_is_true_orders_2', 'expression_is_true_orders_3']);
    expect(t.get('accepted_values_orders_status_2')!.config.severity).toBe('warn');
    expect(t.get('expression_is_true_orders_3')!.args).toEqual({ expression: 'id <> 5' });
  });

  it('changing a test\'s values keeps its name', () => {
    const a = tests('models:\n  - name: orders\n    columns:\n      - name: status\n        tests: [{accepted_values: {values: [a]}}]\n');
    const b = tests('models:\n  - name: orders\n    columns:\n      - name: status\n        tests: [{accepted_values: {values: [a, b, c]}}]\n');
    expect([...a.keys()]).toEqual([...b.keys()]);
  });

  it('config name: overrides the generated name', () => {
    expect([...tests('models:\n  - name: orders\n    columns:\n      - name: id\n        tests: [{unique: {name: orders_pk}}]\n').keys()]).toEqual(['orders_pk']);
  });

  it('source tests are named <test>_<source>_<table>_<column> and attach to the source', () => {
    const t = tests('sources:\n  - name: shop\n    tables:\n      - name: raw_orders\n        location: data/o.parquet\n        tests: [{row_count: {min: 1}}]\n        columns:\n          - name: id\n            data_tests: [not_null]\n');
    expect([...t.keys()].sort()).toEqual(['not_null_shop_raw_orders_id', 'row_count_shop_raw_orders']);
    expect(t.get('not_null_shop_raw_orders_id')!.attachedTo).toBe('source.proj.shop.raw_orders');
  });

  it('data_tests: is an alias of tests:, and tags add the owner\'s tags', () => {
    const t = tests('models:\n  - name: orders\n    config: {tags: [finance]}\n    data_tests:\n      - row_count: {min: 1, tags: [nightly]}\n');
    expect(t.get('row_count_orders')!.tags).toEqual(['finance', 'nightly']);
  });

  it('a relationships test to a missing model is E_REF_NOT_FOUND with a did-you-mean', () => {
    const p = parse({ ...MODELS, 'models/props.yml': 'models:\n  - name: orders\n    columns:\n      - name: customer_id\n        tests:\n          - relationships: {to: custmers, field: id}\n' });
    expect(p.diagnostics).toEqual([
      expect.objectContaining({ code: 'E_REF_NOT_FOUND', message: 'relationships test on orders points at "custmers", which does not exist; did you mean "customers"?', file: 'models/props.yml', line: 6 }),
    ]);
  });

  it('relationships to a source, and row_count_matches against another model, read both', () => {
    const t = tests(
      'sources:\n  - name: shop\n    tables:\n      - name: raw\n        schema: raw\nmodels:\n  - name: orders\n    tests:\n      - row_count_matches: {model: customers, tolerance_pct: 5}\n    columns:\n      - name: id\n        tests:\n          - relationships: {to: "source(\'shop\', \'raw\')", field: id}\n',
    );
    expect(t.get('relationships_orders_id')!.alsoReads).toEqual(['source.proj.shop.raw']);
    expect(t.get('row_count_matches_orders')!.alsoReads).toEqual(['model.proj.customers']);
  });

  it('a test on an unknown column name is still named by that column', () => {
    const t = tests('models:\n  - name: orders\n    columns:\n      - name: "order date"\n        tests: [not_null]\n');
    expect([...t.keys()]).toEqual(['not_null_orders_order_date']);
    expect(t.get('not_null_orders_order_date')!.column).toBe('order date');
  });

  it('problems in several test entries are all reported', () => {
    const p = parse({ ...MODELS, 'models/props.yml': 'models:\n  - name: orders\n    tests:\n      - row_cont: {min: 1}\n    columns:\n      - name: id\n        tests: [not_nul, {unique: {severity: loud}}]\n' });
    expect(codes(p.diagnostics).sort()).toEqual(['E_CONFIG_VALUE', 'E_TEST_UNKNOWN', 'E_TEST_UNKNOWN']);
    expect(p.diagnostics.map((d) => d.line).sort()).toEqual([4, 7, 7]);
  });

  it('model-level tests under data_tests: are located on their own line', () => {
    const p = parse({ ...MODELS, 'models/props.yml': 'models:\n  - name: orders\n    description: x\n    data_tests:\n      - row_count: {min: 1}\n      - row_cont: {min: 1}\n' });
    expect(p.diagnostics).toMatchObject([{ code: 'E_TEST_UNKNOWN', line: 6, column: 9 }]);
  });

  it('singular tests are named after their file and depend on what they ref', () => {
    const p = parse({ ...MODELS, 'tests/assert_positive.sql': '{{config severity="warn"}}select * from {{ref "orders"}} where id < 0' });
    expect(p.diagnostics).toEqual([]);
    const t = p.tests.get('test.proj.assert_positive')!;
    expect(t).toMatchObject({ testType: 'singular', kind: 'singular', path: 'tests/assert_positive.sql', config: { severity: 'warn' } });
    expect(p.dag.parents(t.id)).toEqual(['model.proj.orders']);
  });

  it('a disabled test is left out of the graph', () => {
    const p = parse({ ...MODELS, 'models/props.yml': 'models:\n  - name: orders\n    columns:\n      - name: id\n        tests: [{unique: {enabled: false}}, not_null]\n' });
    expect(p.nodes.has('test.proj.unique_orders_id')).toBe(false);
    expect(p.nodes.has('test.proj.not_null_orders_id')).toBe(true);
  });
});
