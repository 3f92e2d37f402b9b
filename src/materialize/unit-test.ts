import type { UnitTestNode } from '../parse/nodes.js';
import { fixtureKey } from '../parse/unit-tests.js';
import { quoteIdent } from '../util/sql.js';
import { differenceSql, emptyTableSql, FixtureError, fixtureSql, fixtureTable } from './fixtures.js';
import { NodeFailure, type Column, type Materialization, type ScratchDatabase, type TestOutcome, type UnitTestInput, type UnitTestSupport, type Warehouse } from './types.js';

/** How many differing rows a failure shows. */
const SHOWN_ROWS = 20;

/**
 * dbt 1.8's unit test: the model's SQL over fixture tables in a private in-memory DuckDB, its
 * rows compared with the expected ones as multisets (only the expected columns). The warehouse
 * is read for column types only, never for data, and never written.
 */
export const unitTest: Materialization<UnitTestNode> = {
  async run(work, wh) {
    const u = work.node;
    const sup = work.unitTests!;
    const db = await sup.openScratch();
    try {
      const fixtures = new Fixtures(u, sup, wh, db);
      const isIncremental = u.overrides.isIncremental ?? false;
      const relations = await fixtures.forModel(u.model, isIncremental);
      const sql = sup.render(u.model, (id) => relations.get(id), { isIncremental, vars: u.overrides.vars, env: u.overrides.env });
      const actual = await describe(db, sql);
      const expected = fixtureTable(u.expect);
      // `rows: []` expects no rows at all: every column the model returns is compared.
      const noRows = expected.kind === 'rows' && expected.columns.length === 0;
      const expectedColumns = noRows ? actual.map((c) => c.name) : expected.kind === 'rows' ? expected.columns : (await describe(db, expected.sql)).map((c) => c.name);
      const missing = expectedColumns.filter((c) => !actual.some((a) => a.name.toLowerCase() === c.toLowerCase()));
      if (missing.length > 0) {
        throw new NodeFailure({
          code: 'E_UNIT_TEST_FIXTURE',
          message: `unit test ${u.name}: the model returns no column ${missing.map((m) => `"${m}"`).join(', ')} (it returns ${actual.map((a) => a.name).join(', ')})`,
          line: u.line,
          hint: 'expect only columns the model returns',
        });
      }
      const typed = expectedColumns.map((c) => actual.find((a) => a.name.toLowerCase() === c.toLowerCase())!);
      await db.execute(noRows ? emptyTableSql('etlx_expected', typed) : fixtureSql('etlx_expected', expected, typed, 'expect'));
      const cols = typed.map((c) => quoteIdent(c.name)).join(', ');
      await db.execute(`create table etlx_actual as select ${cols} from (\n${sql}\n)`);
      const diff = await db.query(`select columns(*)::varchar from (\n${differenceSql('etlx_expected', 'etlx_actual', typed.map((c) => c.name))}\n)`);
      const outcome: TestOutcome =
        diff.length === 0
          ? { status: 'pass', failures: 0 }
          : {
              status: 'fail',
              failures: diff.length,
              message: `${diff.length} row${diff.length === 1 ? '' : 's'} differ from the expected rows (${u.path}${u.line ? `:${u.line}` : ''})`,
              sample: {
                columns: ['diff', ...typed.map((c) => c.name)],
                rows: diff.slice(0, SHOWN_ROWS).map((r) => ['diff', ...typed.map((c) => c.name)].map((k) => (r[k] === null || r[k] === undefined ? 'NULL' : String(r[k])))),
              },
            };
      return { test: outcome };
    } catch (e) {
      if (e instanceof FixtureError) throw new NodeFailure({ code: 'E_UNIT_TEST_FIXTURE', message: `unit test ${u.name}: ${e.message}`, line: u.line, hint: 'fix the rows in the unit test' });
      throw e;
    } finally {
      await db.close();
    }
  },
};

/** Columns of a query's result, by DuckDB. */
async function describe(db: ScratchDatabase, sql: string): Promise<Column[]> {
  const rows = await db.query(`describe select * from (\n${sql}\n)`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** The fixture tables of one unit test, created in its scratch database. */
class Fixtures {
  private n = 0;
  constructor(
    private readonly u: UnitTestNode,
    private readonly sup: UnitTestSupport,
    private readonly wh: Warehouse,
    private readonly db: ScratchDatabase,
  ) {}

  private next(): string {
    return `etlx_fixture_${this.n++}`;
  }

  /** Fixture relations for every input of the model under test (and `this`), by node id. */
  async forModel(modelId: string, isIncremental: boolean): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const given = new Map(this.u.given.map((g) => [fixtureKey(g.target), g]));
    for (const input of this.sup.inputsOf(modelId)) {
      const g = given.get(input.key);
      const known = await this.warehouseColumns(input.warehouse);
      const name = this.next();
      const table = g ? fixtureTable(g) : undefined;
      if (table && (table.kind === 'sql' || table.rows.length > 0 || known)) {
        await this.db.execute(fixtureSql(name, table, known, input.shown));
      } else {
        await this.db.execute(emptyTableSql(name, known ?? (await this.inferred(input, new Set([modelId])))));
      }
      out.set(input.id, quoteIdent(name));
    }
    const self = given.get('this');
    const selfTarget = this.sup.selfOf(modelId);
    if (self || isIncremental) {
      const known = await this.warehouseColumns(selfTarget);
      const name = this.next();
      const table = self ? fixtureTable(self) : undefined;
      if (table && (table.kind === 'sql' || table.rows.length > 0 || known)) await this.db.execute(fixtureSql(name, table, known, 'this'));
      else if (known) await this.db.execute(emptyTableSql(name, known));
      else throw this.cannotTell('this', 'the model has not been built in the warehouse');
      out.set(modelId, quoteIdent(name));
    }
    return out;
  }

  private async warehouseColumns(at: { readonly schema: string; readonly identifier: string } | undefined): Promise<Column[] | undefined> {
    if (!at) return undefined;
    const cols = await this.wh.columns(at.schema, at.identifier);
    return cols.length > 0 ? cols : undefined;
  }

  /** The columns of an input that is not given and not in the warehouse. */
  private async inferred(input: UnitTestInput, visiting: Set<string>): Promise<Column[]> {
    if (input.reader) {
      try {
        return await describe(this.db, `select * from ${input.reader}`);
      } catch {
        // Files not there (a source not delivered, a file model not written).
        if (!input.model) throw this.cannotTell(input.shown, 'its files cannot be read');
      }
    }
    if (input.model && !visiting.has(input.id)) {
      const inner = new Map<string, string>();
      const next = new Set([...visiting, input.id]);
      for (const up of this.sup.inputsOf(input.id)) {
        const name = this.next();
        await this.db.execute(emptyTableSql(name, (await this.warehouseColumns(up.warehouse)) ?? (await this.inferred(up, next))));
        inner.set(up.id, quoteIdent(name));
      }
      const sql = this.sup.render(input.id, (id) => inner.get(id), { isIncremental: false, vars: this.u.overrides.vars, env: this.u.overrides.env });
      return describe(this.db, sql);
    }
    throw this.cannotTell(input.shown, 'it is not in the warehouse');
  }

  private cannotTell(shown: string, why: string): NodeFailure {
    return new NodeFailure({
      code: 'E_UNIT_TEST_INPUT',
      message: `unit test ${this.u.name}: cannot tell the columns of ${shown}: ${why}`,
      line: this.u.line,
      hint: `give it in the test: given: [{input: "${shown}", rows: [{...}]}] (or format: sql), or build it first`,
    });
  }
}
