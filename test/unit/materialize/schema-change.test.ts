import { describe, expect, it } from 'vitest';
import type { MaterializationSpec } from '../../../src/parse/nodes.js';
import type { SchemaChangeMode } from '../../../src/config/schemas.js';
import { planSchemaChange } from '../../../src/materialize/incremental.js';
import type { Column } from '../../../src/materialize/types.js';

type Spec = Extract<MaterializationSpec, { kind: 'incremental' }>;
const spec = (onSchemaChange: SchemaChangeMode, uniqueKey: string[] = ['id']): Spec => ({
  kind: 'incremental',
  uniqueKey,
  strategy: 'merge',
  onSchemaChange,
});
const REL = '"main"."t"';
const cols = (...spec: string[]): Column[] => spec.map((s) => ({ name: s.split(':')[0]!, type: s.split(':')[1] ?? 'VARCHAR' }));

const have = cols('id:BIGINT', 'a', 'c:DOUBLE');
/** `c` removed, `d` added; `a` kept. */
const come = cols('id:BIGINT', 'a', 'd:DATE');

describe('planSchemaChange', () => {
  it('no change: every mode inserts the shared columns in the new rows\' order', () => {
    const same = cols('a', 'id:BIGINT', 'c:DOUBLE');
    for (const m of ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const) {
      expect(planSchemaChange(REL, spec(m), have, same), m).toEqual({ ok: true, alters: [], columns: ['a', 'id', 'c'] });
    }
  });

  it('ignore: no ALTER; only the shared columns are written', () => {
    expect(planSchemaChange(REL, spec('ignore'), have, come)).toEqual({ ok: true, alters: [], columns: ['id', 'a'] });
  });

  it('fail: an error naming the added and removed columns', () => {
    const r = planSchemaChange(REL, spec('fail'), have, come);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain(REL);
    expect(r.message).toContain('added d');
    expect(r.message).toContain('removed c');
    expect(r.message).toMatch(/on_schema_change: fail/);
    expect(r.message).toMatch(/--full-refresh/);
  });

  it('fail: only an added column, or only a removed one', () => {
    const added = planSchemaChange(REL, spec('fail'), have, [...have, ...cols('z')]);
    expect(added.ok || added.message).toBe(`the new rows' columns differ from ${REL}: added z (on_schema_change: fail). Set on_schema_change to append_new_columns or sync_all_columns, or run with --full-refresh`);
    const removed = planSchemaChange(REL, spec('fail'), have, have.slice(0, 2));
    expect(removed.ok).toBe(false);
    if (!removed.ok) expect(removed.message).toMatch(/: removed c \(/);
  });

  it('append_new_columns: ALTER ADD with the new type; removed columns stay (and get NULL)', () => {
    expect(planSchemaChange(REL, spec('append_new_columns'), have, come)).toEqual({
      ok: true,
      alters: [{ sql: `alter table ${REL} add column "d" DATE`, purpose: 'alter' }],
      columns: ['id', 'a', 'd'],
    });
  });

  it('sync_all_columns: ALTER ADD the new ones, then DROP the removed ones', () => {
    expect(planSchemaChange(REL, spec('sync_all_columns'), have, come)).toEqual({
      ok: true,
      alters: [
        { sql: `alter table ${REL} add column "d" DATE`, purpose: 'alter' },
        { sql: `alter table ${REL} drop column "c"`, purpose: 'alter' },
      ],
      columns: ['id', 'a', 'd'],
    });
  });

  it('sync_all_columns refuses to drop a unique_key column', () => {
    const r = planSchemaChange(REL, spec('sync_all_columns', ['id', 'c']), have, come);
    expect(r).toEqual({ ok: false, message: 'column c is part of unique_key and cannot be dropped by sync_all_columns' });
  });

  it('quotes column names that need it', () => {
    const r = planSchemaChange(REL, spec('append_new_columns'), cols('id'), cols('id', 'Odd "name":INTEGER'));
    expect(r.ok && r.alters[0]!.sql).toBe(`alter table ${REL} add column "Odd ""name""" INTEGER`);
  });
});
