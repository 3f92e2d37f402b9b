/** SQL text helpers. Every identifier and literal etlx writes goes through these. */

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A quoted relation as people read it: `"my""schema"."t"` → `my"schema.t`. Each identifier is
 * unquoted exactly; stripping every `"` would show a name (a secret schema) in a form no
 * redaction knows.
 */
export function displayRelation(quoted: string): string {
  return quoted.replace(/"((?:[^"]|"")*)"/g, (_, name: string) => name.replace(/""/g, '"'));
}

/** `"schema"."name"` */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A JS value as a DuckDB literal: strings, numbers, booleans, lists and structs (reader options). */
export function sqlValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return quoteLiteral(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(sqlValue).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${quoteLiteral(k)}: ${sqlValue(x)}`).join(', ')}}`;
  }
  return quoteLiteral(String(v));
}

/** `key=value, ...` for a table function's named parameters, in key order for stable SQL. */
export function namedArgs(options: Readonly<Record<string, unknown>>): string {
  return Object.keys(options)
    .sort()
    .map((k) => `${k}=${sqlValue(options[k])}`)
    .join(', ');
}

/** A ClickHouse string literal: backslash is its escape character, so it is escaped too. */
export function quoteClickHouseLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
