import type { Target } from '../../config/profiles.js';
import { quoteIdent, quoteLiteral } from '../../util/sql.js';
import { EtlxError } from '../../errors/diagnostic.js';

/** The extensions DuckDB bundles here; anything else would need a download, which fails offline. */
export const BUNDLED_EXTENSIONS = ['parquet', 'json', 'icu'] as const;

/**
 * Statements that prepare a warehouse connection from the profile: LOAD for `extensions`, ATTACH
 * for `attach`. Run once per instance, before any model. A non-bundled extension or attach type
 * is refused here, before anything runs, with what works instead.
 */
export function targetSetupSql(target: Pick<Target, 'attach'> & { readonly extensions?: readonly string[] }): string[] {
  const out: string[] = [];
  for (const ext of target.extensions ?? []) {
    if (!(BUNDLED_EXTENSIONS as readonly string[]).includes(ext)) {
      throw new EtlxError({
        code: 'E_EXTENSION',
        message: `the profile asks for DuckDB extension "${ext}", which is not bundled and cannot be installed offline`,
        file: 'profiles.yml',
        hint: `only ${BUNDLED_EXTENSIONS.join(', ')} are available; read staging files from disk instead of remote or database scanners`,
      });
    }
    out.push(`load ${ext}`);
  }
  for (const a of target.attach) {
    if (a.type && a.type.toLowerCase() !== 'duckdb') {
      throw new EtlxError({
        code: 'E_EXTENSION',
        message: `attach of type "${a.type}" needs a DuckDB extension that is not bundled here`,
        file: 'profiles.yml',
        hint: 'attach DuckDB database files only (type: duckdb, or no type)',
      });
    }
    const alias = a.alias ? ` as ${quoteIdent(a.alias)}` : '';
    out.push(`attach if not exists ${quoteLiteral(a.path)}${alias}${a.read_only ? ' (read_only)' : ''}`);
  }
  return out;
}
