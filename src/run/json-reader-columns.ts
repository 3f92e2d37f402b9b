import { compileProject, type CompiledNode, type CompiledProject } from '../compile/compile.js';
import type { FileColumn } from '../compile/relations.js';
import type { Connection } from '../engine/engine.js';
import { FILE_SCHEMAS_TABLE } from '../materialize/file.js';
import type { Node } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import type { Session } from '../session.js';
import { quoteLiteral } from '../util/sql.js';

/**
 * The run's compiled SQL, kept current as JSON file models are written. A zero-row JSON dataset
 * is a 0-byte file that DuckDB reads back as one `json` column, so `{{ref}}` passes its column
 * types while it is empty (materialize/file.ts records them). The SQL is rendered before the run
 * from what etlx_meta held then (run/file-schemas.ts, as `etlx compile` renders it); once this
 * run writes such a model, its readers that have not run yet (its children, through ephemeral
 * models too) are rendered again with the columns it recorded, or without any once it has rows.
 * So a consumer built in the same run as the first empty output reads it with its columns.
 */
export class JsonReaderColumns {
  private readonly nodes: Map<string, CompiledNode>;
  private columns: Map<string, readonly FileColumn[]>;
  /** What the node runner reads a node's SQL from: updated in place. */
  readonly compiled: CompiledProject;

  constructor(
    private readonly s: Session,
    compiled: CompiledProject,
  ) {
    this.nodes = new Map(compiled.nodes);
    this.columns = new Map(s.ctx.fileColumns ?? []);
    this.compiled = { nodes: this.nodes, diagnostics: compiled.diagnostics };
  }

  /** After a node is written: for a JSON file model, its recorded columns, and its readers rendered again when they changed. */
  async written(n: Node, c: Connection): Promise<void> {
    if (n.resourceType !== 'model' || n.mat.kind !== 'file' || n.mat.format !== 'json' || n.mat.incremental) return;
    const rows = await c.query(`select name, type from ${FILE_SCHEMAS_TABLE} where location = ${quoteLiteral(n.mat.location)} order by pos`);
    const now: FileColumn[] = rows.map((r) => ({ name: String(r.name), type: String(r.type) }));
    if (JSON.stringify(now) === JSON.stringify(this.columns.get(n.id) ?? [])) return;
    this.columns = new Map(this.columns);
    if (now.length > 0) this.columns.set(n.id, now);
    else this.columns.delete(n.id);
    const readers = readersOf(this.s.project, n.id);
    if (readers.size === 0) return;
    const again = compileProject(this.s.project, { ...this.s.ctx, fileColumns: this.columns }, readers);
    // The same templates rendered before the run without errors; only the reader's text differs.
    for (const [id, node] of again.nodes) if (readers.has(id)) this.nodes.set(id, node);
  }
}

/** Nodes whose SQL holds a model's reader: its children, and through an ephemeral child, that one's readers. */
function readersOf(p: ParsedProject, id: string): Set<string> {
  const out = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    for (const child of p.dag.children(stack.pop()!)) {
      if (out.has(child)) continue;
      out.add(child);
      const n = p.nodes.get(child);
      if (n?.resourceType === 'model' && n.mat.kind === 'ephemeral') stack.push(child);
    }
  }
  return out;
}
