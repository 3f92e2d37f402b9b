/**
 * Which DuckDB column type changes keep every value. A value of type `from` stored in a column of
 * type `to` is kept exactly when `from` widens into `to`: a larger integer, FLOAT to DOUBLE, a
 * DECIMAL with at least as many integer and fractional digits, an integer or DECIMAL into a
 * DECIMAL or floating type that holds all its digits, DATE into TIMESTAMP, anything into VARCHAR.
 * Everything else may round, truncate or fail (INTEGER <- 10.75 stores 11), so it is "lossy".
 */

const SIGNED = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT'];
const UNSIGNED = ['UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'];
/** Decimal digits an integer type can hold all of. */
const DIGITS: Record<string, number> = {
  TINYINT: 3,
  SMALLINT: 5,
  INTEGER: 10,
  BIGINT: 19,
  HUGEINT: 39,
  UTINYINT: 3,
  USMALLINT: 5,
  UINTEGER: 10,
  UBIGINT: 20,
  UHUGEINT: 39,
};
/** Exactly representable decimal digits of the floating types. */
const FLOAT_DIGITS: Record<string, number> = { FLOAT: 6, DOUBLE: 15 };

function norm(t: string): string {
  return t.trim().toUpperCase().replace(/\s+/g, ' ');
}

function decimal(t: string): { p: number; s: number } | undefined {
  const m = /^(?:DECIMAL|NUMERIC)(?:\((\d+)\s*,\s*(\d+)\))?$/.exec(t);
  return m ? { p: Number(m[1] ?? 18), s: Number(m[2] ?? 3) } : undefined;
}

/** Integer digits and scale of an exact numeric type (integers and DECIMAL). */
function exact(t: string): { int: number; s: number } | undefined {
  if (DIGITS[t] !== undefined) return { int: DIGITS[t]!, s: 0 };
  const d = decimal(t);
  return d ? { int: d.p - d.s, s: d.s } : undefined;
}

/** Does every value of type `from` fit exactly in type `to`? */
export function widens(fromType: string, toType: string): boolean {
  const from = norm(fromType);
  const to = norm(toType);
  if (from === to || to === 'VARCHAR') return true;
  const si = SIGNED.indexOf(from);
  const ui = UNSIGNED.indexOf(from);
  if (si >= 0 && SIGNED.indexOf(to) >= si) return true;
  if (ui >= 0 && (UNSIGNED.indexOf(to) >= ui || SIGNED.indexOf(to) > ui)) return true;
  const e = exact(from);
  const d = decimal(to);
  if (e && d) return d.p - d.s >= e.int && d.s >= e.s;
  if (e && FLOAT_DIGITS[to] !== undefined) return e.int + e.s <= FLOAT_DIGITS[to]!;
  if (from === 'FLOAT' && to === 'DOUBLE') return true;
  if (from === 'DATE' && to.startsWith('TIMESTAMP')) return true;
  return false;
}

/**
 * The narrowest type both `a` and `b` widen into, when there is one that etlx can name: one of
 * the two, or a DECIMAL holding the integer digits and the scale of both (38 digits at most).
 */
export function commonType(a: string, b: string): string | undefined {
  if (widens(a, b)) return b;
  if (widens(b, a)) return a;
  const ea = exact(norm(a));
  const eb = exact(norm(b));
  if (ea && eb) {
    const s = Math.max(ea.s, eb.s);
    const p = Math.max(ea.int, eb.int) + s;
    if (p <= 38) return `DECIMAL(${p},${s})`;
  }
  return undefined;
}
