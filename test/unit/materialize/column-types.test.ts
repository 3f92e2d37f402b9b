import { describe, expect, it } from 'vitest';
import { commonType, widens } from '../../../src/materialize/column-types.js';
import { planSchemaChange } from '../../../src/materialize/incremental.js';
import type { MaterializationSpec } from '../../../src/parse/nodes.js';
import type { SchemaChangeMode } from '../../../src/config/schemas.js';

type Spec = Extract<MaterializationSpec, { kind: 'incremental' }>;
const spec = (onSchemaChange: SchemaChangeMode): Spec => ({ kind: 'incremental', uniqueKey: ['id'], strategy: 'merge', onSchemaChange });
const REL = '"main"."t"';
const have = [
  { name: 'id', type: 'INTEGER' },
  { name: 'amount', type: 'INTEGER' },
];
const come = [
  { name: 'id', type: 'INTEGER' },
  { name: 'amount', type: 'DECIMAL(4,2)' },
];

describe('a column type change is a schema change', () => {
  it('widenings keep every value; narrowing and rounding casts do not', () => {
    expect(widens('INTEGER', 'BIGINT')).toBe(true);
    expect(widens('FLOAT', 'DOUBLE')).toBe(true);
    expect(widens('DECIMAL(4,2)', 'DECIMAL(10,3)')).toBe(true);
    expect(widens('INTEGER', 'DECIMAL(12,2)')).toBe(true);
    expect(widens('BIGINT', 'VARCHAR')).toBe(true);
    expect(widens('DATE', 'TIMESTAMP')).toBe(true);
    expect(widens('DECIMAL(4,2)', 'INTEGER')).toBe(false);
    expect(widens('BIGINT', 'INTEGER')).toBe(false);
    expect(widens('DOUBLE', 'FLOAT')).toBe(false);
    expect(widens('BIGINT', 'DOUBLE')).toBe(false);
    expect(widens('VARCHAR', 'INTEGER')).toBe(false);
    expect(widens('DECIMAL(10,3)', 'DECIMAL(10,2)')).toBe(false);
  });

  it('the common type holds both: the wider one, or a DECIMAL with the digits of both', () => {
    expect(commonType('INTEGER', 'BIGINT')).toBe('BIGINT');
    expect(commonType('INTEGER', 'DECIMAL(4,2)')).toBe('DECIMAL(12,2)');
    expect(commonType('VARCHAR', 'INTEGER')).toBe('VARCHAR');
    expect(commonType('DATE', 'INTEGER')).toBeUndefined();
  });

  it('fail: INTEGER -> DECIMAL fails, naming the column and both types', () => {
    const r = planSchemaChange(REL, spec('fail'), have, come);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('changed type of amount (INTEGER -> DECIMAL(4,2))');
  });

  it('sync_all_columns: alters the column to a type that holds old and new values', () => {
    expect(planSchemaChange(REL, spec('sync_all_columns'), have, come)).toEqual({
      ok: true,
      alters: [{ sql: `alter table ${REL} alter column "amount" set data type DECIMAL(12,2)`, purpose: 'alter' }],
      columns: ['id', 'amount'],
    });
  });

  it('sync_all_columns: fails clearly where no type holds both', () => {
    const r = planSchemaChange(REL, spec('sync_all_columns'), [{ name: 'd', type: 'DATE' }], [{ name: 'd', type: 'INTEGER' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/column d .* is DATE and the new rows have INTEGER/);
  });

  it('ignore and append_new_columns: warn when values would be cast lossily, not when they widen', () => {
    for (const m of ['ignore', 'append_new_columns'] as const) {
      const r = planSchemaChange(REL, spec(m), have, come);
      expect(r.ok && r.warnings, m).toEqual([`column amount of ${REL} is INTEGER but the new rows have DECIMAL(4,2): values are cast to INTEGER and may be rounded or cut`]);
      expect(planSchemaChange(REL, spec(m), [{ name: 'id', type: 'BIGINT' }], [{ name: 'id', type: 'INTEGER' }])).toEqual({ ok: true, alters: [], columns: ['id'] });
    }
  });
});
