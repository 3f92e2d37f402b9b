/** One SQL statement of a node's work, with why it is there. */
export interface Statement {
  readonly sql: string;
  readonly purpose: 'hook' | 'drop' | 'create' | 'stage' | 'check' | 'alter' | 'delete' | 'insert' | 'merge' | 'copy' | 'cleanup';
  /** The statement's row count is the node's rows_affected. */
  readonly countsRows?: boolean;
}

/**
 * A node's work as data. The runner executes `statements` in order; when `transactional`, inside
 * BEGIN/COMMIT (or inside the run's single transaction under --atomic).
 */
export interface StatementPlan {
  readonly statements: readonly Statement[];
  readonly transactional: boolean;
}

/** What the warehouse already holds under a name. */
export type ExistingRelation = { readonly type: 'table' | 'view' } | undefined;

export function stmt(sql: string, purpose: Statement['purpose'], countsRows = false): Statement {
  return countsRows ? { sql, purpose, countsRows } : { sql, purpose };
}

export function hooks(list: readonly string[]): Statement[] {
  return list.map((sql) => stmt(sql, 'hook'));
}
