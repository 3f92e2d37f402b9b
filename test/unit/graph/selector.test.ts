import { describe, it, expect } from 'vitest';
import { Dag } from '../../../src/graph/dag.js';
import { EtlxError, type Diagnostic } from '../../../src/errors/diagnostic.js';
import {
  evaluateSelector,
  parseSelector,
  selectNodes,
  type SelectableNode,
  type SelectionContext,
  type SelectorSpec,
} from '../../../src/graph/selector.js';

const m = (name: string): string => `model.shop.${name}`;
const s = (source: string, table: string): string => `source.shop.${source}.${table}`;
const seed = (name: string): string => `seed.shop.${name}`;
const t = (name: string): string => `test.shop.${name}`;

interface Fixture {
  readonly node: SelectableNode;
  readonly deps: readonly string[];
}

function model(name: string, path: string, deps: string[], extra: Partial<SelectableNode> = {}): Fixture {
  return {
    node: {
      id: m(name),
      name,
      resourceType: 'model',
      path,
      tags: [],
      config: { materialized: 'view' },
      packageName: 'shop',
      ...extra,
    },
    deps,
  };
}

function source(sourceName: string, table: string): Fixture {
  return {
    node: {
      id: s(sourceName, table),
      name: table,
      resourceType: 'source',
      path: 'models/sources.yml',
      tags: [],
      config: {},
      sourceName,
      packageName: 'shop',
    },
    deps: [],
  };
}

function test_(name: string, path: string, deps: string[]): Fixture {
  return {
    node: { id: t(name), name, resourceType: 'test', path, tags: [], config: { severity: 'error' }, packageName: 'shop' },
    deps,
  };
}

/*
 * raw.orders ──▶ stg_orders ──▶ orders ──▶ customers ──▶ unique_customers_id
 *                    │            ▲  │        ▲  ▲
 *                    ▼            │  ├──▶ not_null_orders_id, assert_positive
 *                 legacy          │  │        │  │
 * stripe.payments ─▶ stg_payments ┘           │  └── country_codes (seed)
 * raw.customers ──▶ stg_customers ────────────┘
 */
const FIXTURES: readonly Fixture[] = [
  source('raw', 'orders'),
  source('raw', 'customers'),
  source('stripe', 'payments'),
  {
    node: {
      id: seed('country_codes'),
      name: 'country_codes',
      resourceType: 'seed',
      path: 'seeds/country_codes.csv',
      tags: ['reference'],
      config: { enabled: true },
      packageName: 'shop',
    },
    deps: [],
  },
  model('stg_orders', 'models/staging/stg_orders.sql', [s('raw', 'orders')], { tags: ['staging'] }),
  model('stg_customers', 'models/staging/stg_customers.sql', [s('raw', 'customers')], { tags: ['staging'] }),
  model('stg_payments', 'models/staging/stg_payments.sql', [s('stripe', 'payments')], { tags: ['staging'] }),
  model('orders', 'models/marts/orders.sql', [m('stg_orders'), m('stg_payments')], {
    tags: ['nightly', 'finance'],
    config: {
      materialized: 'table',
      tags: ['nightly', 'finance'],
      full_refresh: false,
      threads: 4,
      meta: { owner: 'ana' },
    },
  }),
  model('customers', 'models/marts/customers.sql', [m('stg_customers'), m('orders'), seed('country_codes')], {
    tags: ['nightly'],
    config: { materialized: 'incremental', unique_key: ['id', 'region'], full_refresh: true },
  }),
  model('legacy', 'models/marts_old/legacy.sql', [m('stg_orders')]),
  test_('not_null_orders_id', 'models/marts/schema.yml', [m('orders')]),
  test_('unique_customers_id', 'models/marts/schema.yml', [m('customers')]),
  test_('assert_positive', 'tests/assert_positive.sql', [m('orders')]),
];

const ALL_IDS = FIXTURES.map((f) => f.node.id).sort();

function context(extra: Partial<SelectionContext> = {}): SelectionContext {
  return {
    nodes: new Map(FIXTURES.map((f) => [f.node.id, f.node])),
    dag: Dag.build(FIXTURES.map((f) => ({ id: f.node.id, deps: f.deps }))),
    ...extra,
  };
}

const ctx = context();

function select(select: string[], exclude: string[] = [], c: SelectionContext = ctx): string[] {
  const spec: SelectorSpec = { select, exclude };
  return selectNodes(spec, c);
}

function sorted(...ids: string[]): string[] {
  return [...ids].sort();
}

/** The single E_SELECTOR diagnostic thrown by `fn`. */
function selectorError(fn: () => unknown): Diagnostic {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(EtlxError);
  const err = error as EtlxError;
  expect(err.exitCode).toBe(2);
  expect(err.diagnostics).toHaveLength(1);
  const d = err.diagnostics[0]!;
  expect(d.code).toBe('E_SELECTOR');
  expect(d.hint).toBeTruthy();
  return d;
}

describe('parseSelector', () => {
  it('splits arguments on spaces into terms and terms on commas into atoms', () => {
    const expr = parseSelector(['orders tag:nightly,path:models/marts', '  stg_*  ']);
    expect(expr.terms.map((x) => x.raw)).toEqual(['orders', 'tag:nightly,path:models/marts', 'stg_*']);
    expect(expr.terms[1]!.atoms.map((a) => [a.method, a.value])).toEqual([
      ['tag', 'nightly'],
      ['path', 'models/marts'],
    ]);
  });

  it('parses graph operators with depths', () => {
    const [a] = parseSelector(['2+orders+3']).terms[0]!.atoms;
    expect(a).toMatchObject({
      method: 'name',
      value: 'orders',
      parents: true,
      parentsDepth: 2,
      children: true,
      childrenDepth: 3,
      childrensParents: false,
    });
    const [b] = parseSelector(['+tag:nightly+']).terms[0]!.atoms;
    expect(b).toMatchObject({ method: 'tag', value: 'nightly', parents: true, children: true });
    expect(b!.parentsDepth).toBeUndefined();
    expect(b!.childrenDepth).toBeUndefined();
    const [c] = parseSelector(['@source:raw']).terms[0]!.atoms;
    expect(c).toMatchObject({ method: 'source', value: 'raw', childrensParents: true, parents: false });
  });

  it('parses config keys, including dotted ones', () => {
    const [a] = parseSelector(['config.materialized:table']).terms[0]!.atoms;
    expect(a).toMatchObject({ method: 'config', configKey: 'materialized', value: 'table' });
    const [b] = parseSelector(['config.meta.owner:ana']).terms[0]!.atoms;
    expect(b).toMatchObject({ method: 'config', configKey: 'meta.owner', value: 'ana' });
  });

  it('treats bare values with a slash or a .sql/.csv ending as paths, normalized', () => {
    const atoms = parseSelector(['models/marts/ orders.sql seeds/x.csv ./models\\staging path:./models/']).terms.map(
      (x) => x.atoms[0]!,
    );
    expect(atoms.map((a) => [a.method, a.value])).toEqual([
      ['path', 'models/marts'],
      ['path', 'orders.sql'],
      ['path', 'seeds/x.csv'],
      ['path', 'models/staging'],
      ['path', 'models'],
    ]);
  });

  it('does not take digits in a name for a depth', () => {
    const [a] = parseSelector(['2024_orders']).terms[0]!.atoms;
    expect(a).toMatchObject({ method: 'name', value: '2024_orders', parents: false, children: false });
  });

  it('returns no terms for no or blank arguments', () => {
    expect(parseSelector([]).terms).toEqual([]);
    expect(parseSelector(['', '   ']).terms).toEqual([]);
  });

  it('rejects an unknown method with a did-you-mean and the list of methods', () => {
    const d = selectorError(() => parseSelector(['tga:nightly']));
    expect(d.message).toContain('"tga:nightly"');
    expect(d.message).toContain('did you mean "tag"?');
    for (const method of ['tag:', 'path:', 'config.<key>:', 'source:', 'resource_type:', 'state:', 'result:']) {
      expect(d.hint).toContain(method);
    }
  });

  it('suggests the full config key for a misspelled config method', () => {
    const d = selectorError(() => parseSelector(['confg.materialized:table']));
    expect(d.message).toContain('did you mean "config.materialized"?');
  });

  it('suggests resource_type for resource-type', () => {
    expect(selectorError(() => parseSelector(['resource-type:model'])).message).toContain('"resource_type"');
  });

  it('gives no suggestion for a method far from any', () => {
    const d = selectorError(() => parseSelector(['zzzzzz:x']));
    expect(d.message).toContain('unknown selector method "zzzzzz"');
    expect(d.message).not.toContain('did you mean');
  });

  it('rejects config without a key', () => {
    expect(selectorError(() => parseSelector(['config:table'])).hint).toContain('config.<key>:<value>');
    expect(selectorError(() => parseSelector(['config.:table'])).message).toContain('empty config key');
  });

  it('rejects an empty value', () => {
    for (const raw of ['tag:', 'path:', 'source:', 'state:', 'config.materialized:', '+tag:+']) {
      const d = selectorError(() => parseSelector([raw]));
      expect(d.message).toContain(`"${raw}"`);
      expect(d.message).toContain('empty value');
    }
    expect(selectorError(() => parseSelector(['tag:'])).hint).toContain('tag:nightly');
  });

  it('rejects bad graph syntax', () => {
    for (const raw of ['++orders', 'orders++', '2++orders', '@@orders', '+', '@', '+@orders']) {
      const d = selectorError(() => parseSelector([raw]));
      expect(d.message).toContain(`"${raw}"`);
      expect(d.hint).toMatch(/\+name|"@/);
    }
  });

  it('rejects "@" combined with a leading "+"', () => {
    const d = selectorError(() => parseSelector(['@+orders']));
    expect(d.message).toContain('"@+orders"');
    expect(d.message).toContain('"@"');
  });

  it('rejects empty comma parts', () => {
    for (const raw of ['orders,', ',orders', 'a,,b']) {
      expect(selectorError(() => parseSelector([raw])).message).toContain(`"${raw}"`);
    }
  });

  it('rejects unknown state, result and resource_type values with a did-you-mean', () => {
    const st = selectorError(() => parseSelector(['state:modifed']));
    expect(st.message).toContain('"state:modifed"');
    expect(st.message).toContain('did you mean "modified"?');
    expect(st.hint).toContain('modified, new');
    const re = selectorError(() => parseSelector(['result:eror']));
    expect(re.message).toContain('did you mean "error"?');
    expect(re.hint).toContain('skipped');
    const rt = selectorError(() => parseSelector(['resource_type:models']));
    expect(rt.message).toContain('did you mean "model"?');
    expect(rt.hint).toContain('model, seed, test, source');
  });

  it('reports a syntax error in any argument, before evaluation', () => {
    expect(() => parseSelector(['orders', 'tag:x tga:y'])).toThrow(/tga:y/);
  });
});

describe('selectNodes: methods', () => {
  it('selects every node for an empty select', () => {
    expect(select([])).toEqual(ALL_IDS);
    expect(select([''])).toEqual(ALL_IDS);
  });

  it('returns ids sorted', () => {
    const out = select(['stg_payments stg_customers stg_orders']);
    expect(out).toEqual([m('stg_customers'), m('stg_orders'), m('stg_payments')]);
  });

  it('selects a bare name across resource types', () => {
    // The model "orders" and the source table raw.orders share the name.
    expect(select(['orders'])).toEqual(sorted(m('orders'), s('raw', 'orders')));
    expect(select(['country_codes'])).toEqual([seed('country_codes')]);
    expect(select(['not_null_orders_id'])).toEqual([t('not_null_orders_id')]);
  });

  it('selects a source table by source_name.table', () => {
    expect(select(['raw.orders'])).toEqual([s('raw', 'orders')]);
  });

  it('selects by glob', () => {
    expect(select(['stg_*'])).toEqual(sorted(m('stg_customers'), m('stg_orders'), m('stg_payments')));
    expect(select(['stg_?rders'])).toEqual([m('stg_orders')]);
    expect(select(['raw.*'])).toEqual(sorted(s('raw', 'customers'), s('raw', 'orders')));
    expect(select(['*customers*'])).toEqual(
      sorted(m('customers'), m('stg_customers'), s('raw', 'customers'), t('unique_customers_id')),
    );
  });

  it('lets a glob select nothing without an error', () => {
    expect(select(['nothing_*'])).toEqual([]);
  });

  it('treats regex characters in a name literally', () => {
    expect(select(['stg.orders*'])).toEqual([]);
  });

  it('selects by path: folder prefix on whole segments, or an exact file', () => {
    const marts = sorted(m('orders'), m('customers'), t('not_null_orders_id'), t('unique_customers_id'));
    expect(select(['path:models/marts'])).toEqual(marts);
    expect(select(['path:models/marts/'])).toEqual(marts);
    expect(select(['models/marts'])).toEqual(marts);
    expect(select(['path:models/marts/orders.sql'])).toEqual([m('orders')]);
    expect(select(['models/marts/orders.sql'])).toEqual([m('orders')]);
    expect(select(['seeds/country_codes.csv'])).toEqual([seed('country_codes')]);
    expect(select(['path:models/marts_old'])).toEqual([m('legacy')]);
    expect(select(['path:tests'])).toEqual([t('assert_positive')]);
    // Sources live in the YAML file that declares them.
    expect(select(['path:models/sources.yml'])).toEqual(
      sorted(s('raw', 'orders'), s('raw', 'customers'), s('stripe', 'payments')),
    );
  });

  it('selects by path glob', () => {
    expect(select(['path:models/*/stg_o*.sql'])).toEqual([m('stg_orders')]);
    expect(select(['path:models/marts*'])).toEqual(
      sorted(m('orders'), m('customers'), m('legacy'), t('not_null_orders_id'), t('unique_customers_id')),
    );
    expect(select(['path:**/*.csv'])).toEqual([seed('country_codes')]);
    expect(select(['path:nope/*'])).toEqual([]);
  });

  it('selects the whole project for path:.', () => {
    expect(select(['path:.'])).toEqual(ALL_IDS);
  });

  it('selects by tag', () => {
    expect(select(['tag:nightly'])).toEqual(sorted(m('orders'), m('customers')));
    expect(select(['tag:finance'])).toEqual([m('orders')]);
    expect(select(['tag:reference'])).toEqual([seed('country_codes')]);
    expect(select(['tag:nope'])).toEqual([]);
    expect(select(['tag:night*'])).toEqual(sorted(m('orders'), m('customers')));
  });

  it('selects by config value', () => {
    expect(select(['config.materialized:table'])).toEqual([m('orders')]);
    expect(select(['config.materialized:view'])).toEqual(
      sorted(m('stg_orders'), m('stg_customers'), m('stg_payments'), m('legacy')),
    );
    expect(select(['config.materialized:ephemeral'])).toEqual([]);
  });

  it('matches array config values by membership', () => {
    expect(select(['config.tags:finance'])).toEqual([m('orders')]);
    expect(select(['config.unique_key:region'])).toEqual([m('customers')]);
    expect(select(['config.unique_key:id'])).toEqual([m('customers')]);
    expect(select(['config.unique_key:i'])).toEqual([]);
  });

  it('compares booleans and numbers as strings', () => {
    expect(select(['config.full_refresh:false'])).toEqual([m('orders')]);
    expect(select(['config.full_refresh:true'])).toEqual([m('customers')]);
    expect(select(['config.enabled:true'])).toEqual([seed('country_codes')]);
    expect(select(['config.threads:4'])).toEqual([m('orders')]);
  });

  it('follows dotted config keys into nested objects', () => {
    expect(select(['config.meta.owner:ana'])).toEqual([m('orders')]);
    expect(select(['config.meta:ana'])).toEqual([]);
    expect(select(['config.missing.key:x'])).toEqual([]);
  });

  it('selects sources', () => {
    expect(select(['source:raw'])).toEqual(sorted(s('raw', 'orders'), s('raw', 'customers')));
    expect(select(['source:raw.orders'])).toEqual([s('raw', 'orders')]);
    expect(select(['source:shop.stripe.payments'])).toEqual([s('stripe', 'payments')]);
    expect(select(['source:*'])).toEqual(sorted(s('raw', 'orders'), s('raw', 'customers'), s('stripe', 'payments')));
    expect(select(['source:raw.c*'])).toEqual([s('raw', 'customers')]);
  });

  it('selects by resource type', () => {
    expect(select(['resource_type:seed'])).toEqual([seed('country_codes')]);
    expect(select(['resource_type:test'])).toEqual(
      sorted(t('not_null_orders_id'), t('unique_customers_id'), t('assert_positive')),
    );
    expect(select(['resource_type:source'])).toHaveLength(3);
    expect(select(['resource_type:model'])).toHaveLength(6);
  });

  it('selects tests by test name', () => {
    expect(select(['test_name:not_null'])).toEqual([t('not_null_orders_id')]);
    expect(select(['test_name:unique*'])).toEqual([t('unique_customers_id')]);
    expect(select(['test_name:assert_positive'])).toEqual([t('assert_positive')]);
    expect(select(['test_name:accepted_values'])).toEqual([]);
  });

  it('selects by state against --state', () => {
    const states: Record<string, 'new' | 'modified'> = { [m('orders')]: 'modified', [m('legacy')]: 'new' };
    const c = context({ isModified: (id) => states[id] ?? 'unchanged' });
    expect(select(['state:modified'], [], c)).toEqual(sorted(m('orders'), m('legacy')));
    expect(select(['state:new'], [], c)).toEqual([m('legacy')]);
    expect(select(['state:modified+'], [], c)).toEqual(
      sorted(m('orders'), m('legacy'), m('customers'), t('not_null_orders_id'), t('assert_positive'), t('unique_customers_id')),
    );
  });

  it('selects by the previous run result', () => {
    const results: Record<string, string> = {
      [m('orders')]: 'error',
      [m('customers')]: 'skipped',
      [t('not_null_orders_id')]: 'fail',
      [t('assert_positive')]: 'warn',
      [m('stg_orders')]: 'success',
      [t('unique_customers_id')]: 'pass',
    };
    const c = context({ resultStatus: (id) => results[id] });
    expect(select(['result:error'], [], c)).toEqual([m('orders')]);
    expect(select(['result:skipped'], [], c)).toEqual([m('customers')]);
    expect(select(['result:fail'], [], c)).toEqual([t('not_null_orders_id')]);
    expect(select(['result:warn'], [], c)).toEqual([t('assert_positive')]);
    expect(select(['result:success'], [], c)).toEqual([m('stg_orders')]);
    expect(select(['result:pass'], [], c)).toEqual([t('unique_customers_id')]);
    // The retry idiom: what failed or was skipped, and everything downstream.
    expect(select(['result:error+ result:skipped+'], [], c)).toEqual(
      sorted(m('orders'), m('customers'), t('not_null_orders_id'), t('assert_positive'), t('unique_customers_id')),
    );
  });
});

describe('selectNodes: graph operators', () => {
  it('+x adds all ancestors', () => {
    expect(select(['+orders'])).toEqual(
      sorted(m('orders'), s('raw', 'orders'), m('stg_orders'), m('stg_payments'), s('stripe', 'payments')),
    );
  });

  it('N+x limits ancestors to N hops', () => {
    // "customers" also names the source table raw.customers, a root.
    expect(select(['1+customers'])).toEqual(
      sorted(m('customers'), s('raw', 'customers'), m('stg_customers'), m('orders'), seed('country_codes')),
    );
    expect(select(['1+path:models/marts/customers.sql'])).toEqual(
      sorted(m('customers'), m('stg_customers'), m('orders'), seed('country_codes')),
    );
    expect(select(['2+customers'])).toEqual(
      sorted(
        m('customers'),
        m('stg_customers'),
        m('orders'),
        seed('country_codes'),
        s('raw', 'customers'),
        m('stg_orders'),
        m('stg_payments'),
      ),
    );
  });

  it('x+ adds all descendants', () => {
    expect(select(['stg_orders+'])).toEqual(
      sorted(
        m('stg_orders'),
        m('orders'),
        m('legacy'),
        m('customers'),
        t('not_null_orders_id'),
        t('assert_positive'),
        t('unique_customers_id'),
      ),
    );
  });

  it('x+N limits descendants to N hops', () => {
    expect(select(['stg_orders+1'])).toEqual(sorted(m('stg_orders'), m('orders'), m('legacy')));
    expect(select(['stg_orders+0'])).toEqual([m('stg_orders')]);
  });

  it('+x+ adds both', () => {
    expect(select(['+stg_payments+1'])).toEqual(sorted(s('stripe', 'payments'), m('stg_payments'), m('orders')));
  });

  it('source:x+ selects a source and everything built from it', () => {
    expect(select(['source:stripe+'])).toEqual(
      sorted(
        s('stripe', 'payments'),
        m('stg_payments'),
        m('orders'),
        m('customers'),
        t('not_null_orders_id'),
        t('assert_positive'),
        t('unique_customers_id'),
      ),
    );
  });

  it('@x adds descendants and all their ancestors', () => {
    // Building stg_payments and everything after it needs every other input of those models.
    expect(select(['@stg_payments'])).toEqual(ALL_IDS.filter((id) => id !== m('legacy')));
    expect(select(['@legacy'])).toEqual(sorted(m('legacy'), m('stg_orders'), s('raw', 'orders')));
  });

  it('applies operators to every node an atom matches', () => {
    expect(select(['tag:staging+1'])).toEqual(
      sorted(m('stg_orders'), m('stg_customers'), m('stg_payments'), m('orders'), m('customers'), m('legacy')),
    );
  });
});

describe('selectNodes: set operations', () => {
  it('unites space-separated terms and separate arguments', () => {
    expect(select(['tag:finance country_codes'])).toEqual(sorted(m('orders'), seed('country_codes')));
    expect(select(['tag:finance', 'country_codes'])).toEqual(sorted(m('orders'), seed('country_codes')));
    expect(select(['orders orders'])).toEqual(sorted(m('orders'), s('raw', 'orders')));
  });

  it('intersects comma-separated atoms', () => {
    expect(select(['tag:nightly,config.materialized:table'])).toEqual([m('orders')]);
    expect(select(['orders,resource_type:model'])).toEqual([m('orders')]);
    expect(select(['+customers,resource_type:source'])).toEqual(
      sorted(s('raw', 'orders'), s('raw', 'customers'), s('stripe', 'payments')),
    );
    expect(select(['path:models/marts,resource_type:test'])).toEqual(
      sorted(t('not_null_orders_id'), t('unique_customers_id')),
    );
    expect(select(['tag:finance,tag:staging'])).toEqual([]);
  });

  it('applies graph operators per atom before intersecting', () => {
    expect(select(['orders+,resource_type:test'])).toEqual(
      sorted(t('not_null_orders_id'), t('assert_positive'), t('unique_customers_id')),
    );
  });

  it('removes what exclude selects', () => {
    expect(select(['tag:nightly'], ['customers'])).toEqual([m('orders')]);
    expect(select(['+orders'], ['resource_type:source'])).toEqual(
      sorted(m('orders'), m('stg_orders'), m('stg_payments')),
    );
    // "orders+1" also covers raw.orders+1, which is stg_orders.
    expect(select(['stg_orders+'], ['resource_type:test orders+1'])).toEqual([m('legacy')]);
    expect(select(['stg_orders+'], ['resource_type:test models/marts/orders.sql+1'])).toEqual(
      sorted(m('stg_orders'), m('legacy')),
    );
  });

  it('excludes from everything when select is empty', () => {
    expect(select([], ['resource_type:test', 'resource_type:source'])).toEqual(
      sorted(
        seed('country_codes'),
        m('stg_orders'),
        m('stg_customers'),
        m('stg_payments'),
        m('orders'),
        m('customers'),
        m('legacy'),
      ),
    );
  });

  it('excludes with intersections and graph operators', () => {
    expect(select(['path:models'], ['+orders,tag:staging'])).toEqual(
      sorted(
        m('stg_customers'),
        m('orders'),
        m('customers'),
        m('legacy'),
        s('raw', 'orders'),
        s('raw', 'customers'),
        s('stripe', 'payments'),
        t('not_null_orders_id'),
        t('unique_customers_id'),
      ),
    );
  });

  it('is deterministic regardless of node map order', () => {
    const reversed: SelectionContext = {
      nodes: new Map([...ctx.nodes].reverse()),
      dag: Dag.build([...FIXTURES].reverse().map((f) => ({ id: f.node.id, deps: f.deps }))),
    };
    for (const q of ['*', '@orders', 'tag:nightly+ source:raw', '2+customers,resource_type:model']) {
      expect(select([q], [], reversed)).toEqual(select([q]));
    }
  });

  it('only returns ids known to the node map', () => {
    const c: SelectionContext = {
      nodes: ctx.nodes,
      dag: Dag.build([...FIXTURES.map((f) => ({ id: f.node.id, deps: f.deps })), { id: 'ghost', deps: [m('orders')] }]),
    };
    expect(select(['orders+'], [], c)).not.toContain('ghost');
  });

  it('exposes evaluation of a parsed expression', () => {
    const set = evaluateSelector(parseSelector(['tag:finance']), ctx);
    expect([...set]).toEqual([m('orders')]);
  });
});

describe('selectNodes: errors', () => {
  it('rejects a bare name that matches nothing, with a did-you-mean', () => {
    const d = selectorError(() => select(['ordrs']));
    expect(d.message).toContain('"ordrs"');
    expect(d.message).toContain('matches no node');
    expect(d.message).toContain('did you mean "orders"?');
    expect(d.hint).toContain('etlx ls');
  });

  it('names the whole atom, graph operators included', () => {
    const d = selectorError(() => select(['+stg_ordrs+']));
    expect(d.message).toContain('"+stg_ordrs+"');
    expect(d.message).toContain('did you mean "stg_orders"?');
  });

  it('rejects an unmatched name inside an intersection or exclude too', () => {
    expect(selectorError(() => select(['tag:nightly,custmers'])).message).toContain('did you mean "customers"?');
    expect(selectorError(() => select(['orders'], ['legcy'])).message).toContain('did you mean "legacy"?');
  });

  it('gives no suggestion when nothing is close', () => {
    const d = selectorError(() => select(['zzzzzzzz']));
    expect(d.message).not.toContain('did you mean');
  });

  it('rejects a source that matches nothing, with a did-you-mean', () => {
    const a = selectorError(() => select(['source:rwa']));
    expect(a.message).toContain('"source:rwa"');
    expect(a.message).toContain('did you mean "raw"?');
    expect(a.hint).toContain('source:<source>.<table>');
    const b = selectorError(() => select(['source:raw.ordrs']));
    expect(b.message).toContain('did you mean "raw.orders"?');
  });

  it('reports that there are no sources at all', () => {
    const c: SelectionContext = {
      nodes: new Map([[m('legacy'), FIXTURES.find((f) => f.node.id === m('legacy'))!.node]]),
      dag: Dag.build([{ id: m('legacy'), deps: [] }]),
    };
    expect(selectorError(() => select(['source:raw'], [], c)).hint).toContain('no sources');
  });

  it('rejects a path that matches nothing, suggesting a close folder', () => {
    const d = selectorError(() => select(['path:models/mart']));
    expect(d.message).toContain('"path:models/mart"');
    expect(d.message).toContain('did you mean "models/marts"?');
    expect(selectorError(() => select(['models/marts/ordrs.sql'])).message).toContain(
      'did you mean "models/marts/orders.sql"?',
    );
  });

  it('requires --state for state:', () => {
    const d = selectorError(() => select(['state:modified']));
    expect(d.message).toContain('"state:modified"');
    expect(d.hint).toContain('--state <dir>');
  });

  it('requires previous results for result:', () => {
    const d = selectorError(() => select(['result:error']));
    expect(d.message).toContain('"result:error"');
    expect(d.hint).toContain('target/run_results.json');
  });

  it('reports syntax errors in exclude before evaluating select', () => {
    const d = selectorError(() => select(['ordrs'], ['tga:x']));
    expect(d.message).toContain('"tga:x"');
  });

  it('lets tag:, config., state:, result: and resource_type: select nothing', () => {
    const c = context({ isModified: () => 'unchanged', resultStatus: () => undefined });
    for (const q of ['tag:nope', 'config.materialized:nope', 'state:modified', 'state:new', 'result:fail']) {
      expect(select([q], [], c)).toEqual([]);
    }
    const empty: SelectionContext = { nodes: new Map(), dag: Dag.build([]) };
    expect(select(['resource_type:model'], [], empty)).toEqual([]);
  });
});

describe('selectNodes: scale', () => {
  it('selects over 10,000 nodes', () => {
    const nodes = new Map<string, SelectableNode>();
    const inputs: { id: string; deps: string[] }[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = m(`m${i}`);
      nodes.set(id, {
        id,
        name: `m${i}`,
        resourceType: 'model',
        path: `models/f${i % 10}/m${i}.sql`,
        tags: i % 2 === 0 ? ['even'] : [],
        config: { materialized: i % 3 === 0 ? 'table' : 'view' },
        packageName: 'shop',
      });
      inputs.push({ id, deps: i === 0 ? [] : [m(`m${Math.floor(i / 2)}`), m(`m${i - 1}`)] });
    }
    const big: SelectionContext = { nodes, dag: Dag.build(inputs) };
    // Its speed (target under 1 s) is measured by bench/graph.mjs, not here.
    const out = selectNodes({ select: ['@m5000 tag:even,config.materialized:table', 'path:models/f3+1'], exclude: ['m0'] }, big);
    expect(out).not.toContain(m('m0'));
    expect(out).toContain(m('m5000'));
    expect(out).toContain(m('m6'));
  });
});
